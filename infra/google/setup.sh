#!/usr/bin/env bash
# The Google Cloud side of BqDispatch on Azure: keyless access from the Function App's managed identity.
#
#   1. a workload identity pool and an OIDC provider that trusts Entra ID tokens of your tenant
#      (issuer https://sts.windows.net/<tenant> as in Google's Azure guide; tokens carry iss .../<tenant>/, audience = the Entra app's Application ID URI, subject pinned
#      to the managed identity's object id);
#   2. a service account with the least roles the dispatcher needs:
#      - on every BigQuery project whose jobs it watches: a custom role with bigquery.jobs.get/list/listAll
#        (listAll lets it count every user's running jobs for the throttle; without it the dispatcher falls back
#        to its own jobs, see ListAllUsers in the README);
#      - per bucket, only what the dispatcher does there (docs/deployment.md lists each call):
#        task bucket (AsyncTaskURL): list, read, create (.wis markers), delete (handed-off traces, stale windows),
#          update (claims: a metadata patch before each copy)
#          -> roles/storage.objectUser;
#        trigger bucket: create (copies of traces and windows), read and list (a retried copy is checked, soft-deleted
#          objects included; consumed trigger objects release throttle reservations)
#          -> roles/storage.objectCreator + roles/storage.objectViewer;
#        journal bucket (JournalURL): create and overwrite performance.json and status.json (overwriting needs
#          delete), read them
#          -> roles/storage.objectUser;
#        error bucket (ErrorURL): create (evicted traces and their notes), read (a retried copy is checked)
#          -> roles/storage.objectCreator + roles/storage.legacyObjectReader;
#        where buckets coincide the roles add up; roles/storage.objectAdmin granted by an earlier version of this
#        script is removed (objectUser is objectAdmin without the right to change object IAM policies);
#   3. roles/iam.workloadIdentityUser for the federated managed identity on that service account;
#   4. the credential configuration (no secret in it) for the GOOGLE_CREDENTIALS_JSON app setting;
#   5. optionally (EVENTS=push or EVENTS=pull), completion events: a Pub/Sub topic, a log sink per BigQuery project
#      that publishes BigQuery's "job DONE" audit entries to it (its writer identity may publish), and either a push
#      subscription that posts them with an OIDC token to the Function App (https://<app>/api/events) or a pull
#      subscription the dispatcher may consume (roles/pubsub.subscriber).
#
# Idempotent: re-running it leaves existing resources as they are. Needs gcloud (authenticated as a project
# owner or equivalent), jq, and these variables:
#
#   GOOGLE_PROJECT        project that holds the pool and the service account, e.g. my-project
#   BQ_PROJECTS           space-separated BigQuery projects whose jobs are traced (default: GOOGLE_PROJECT)
#   TASK_BUCKET           bucket of AsyncTaskURL, e.g. my_project_bqdispatch
#   TRIGGER_BUCKET        BqTail's trigger bucket, e.g. my_project_bqtail
#   JOURNAL_BUCKET        bucket of JournalURL, e.g. my_project_operation
#   ERROR_BUCKET          bucket of ErrorURL (default: JOURNAL_BUCKET)
#   AZURE_TENANT_ID       Entra tenant id (output tenantId of infra/main.bicep)
#   AZURE_APP_ID_URI      Application ID URI of the Entra app used as token audience, e.g. api://<app id>
#   AZURE_MI_OBJECT_ID    principal (object) id of the managed identity (output managedIdentityPrincipalId)
#   AZURE_MI_CLIENT_ID    client id of the managed identity (output managedIdentityClientId)
# Optional: POOL_ID (azure-pool), PROVIDER_ID (azure-provider), SA_NAME (bqdispatch), ROLE_ID (bqDispatchJobs),
#           OUTPUT (google-credentials.json);
#           EVENTS (push or pull; unset: no events), EVENTS_TOPIC (bq-job-done), EVENTS_SUBSCRIPTION (bqdispatch-events),
#           EVENTS_PUSH_ENDPOINT (with push: https://<app>.azurewebsites.net/api/events, also the token audience),
#           EVENTS_PUSH_SA_NAME (with push: bqdispatch-pusher, the account whose tokens the app accepts).
set -euo pipefail

: "${GOOGLE_PROJECT:?}" "${TASK_BUCKET:?}" "${TRIGGER_BUCKET:?}" "${JOURNAL_BUCKET:?}"
: "${AZURE_TENANT_ID:?}" "${AZURE_APP_ID_URI:?}" "${AZURE_MI_OBJECT_ID:?}" "${AZURE_MI_CLIENT_ID:?}"
BQ_PROJECTS=${BQ_PROJECTS:-$GOOGLE_PROJECT}
ERROR_BUCKET=${ERROR_BUCKET:-$JOURNAL_BUCKET}
POOL_ID=${POOL_ID:-azure-pool}
PROVIDER_ID=${PROVIDER_ID:-azure-provider}
SA_NAME=${SA_NAME:-bqdispatch}
ROLE_ID=${ROLE_ID:-bqDispatchJobs}
OUTPUT=${OUTPUT:-google-credentials.json}

SA_EMAIL="${SA_NAME}@${GOOGLE_PROJECT}.iam.gserviceaccount.com"
PROJECT_NUMBER=$(gcloud projects describe "$GOOGLE_PROJECT" --format='value(projectNumber)')
POOL="projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${POOL_ID}"

step() { echo "google-setup: $*" >&2; }
exists() { "$@" >/dev/null 2>&1; }

step "enabling the APIs (IAM credentials, STS, BigQuery, Cloud Storage)"
gcloud services enable iam.googleapis.com iamcredentials.googleapis.com sts.googleapis.com \
  bigquery.googleapis.com storage.googleapis.com --project "$GOOGLE_PROJECT"

step "workload identity pool ${POOL_ID}"
exists gcloud iam workload-identity-pools describe "$POOL_ID" --project "$GOOGLE_PROJECT" --location global ||
  gcloud iam workload-identity-pools create "$POOL_ID" --project "$GOOGLE_PROJECT" --location global \
    --display-name "Azure (BqDispatch)"

step "OIDC provider ${PROVIDER_ID} for tenant ${AZURE_TENANT_ID}, audience ${AZURE_APP_ID_URI}"
exists gcloud iam workload-identity-pools providers describe "$PROVIDER_ID" --project "$GOOGLE_PROJECT" \
    --location global --workload-identity-pool "$POOL_ID" ||
  gcloud iam workload-identity-pools providers create-oidc "$PROVIDER_ID" --project "$GOOGLE_PROJECT" \
    --location global --workload-identity-pool "$POOL_ID" \
    --issuer-uri "https://sts.windows.net/${AZURE_TENANT_ID}" \
    --allowed-audiences "$AZURE_APP_ID_URI" \
    --attribute-mapping "google.subject=assertion.sub" \
    --attribute-condition "assertion.sub == '${AZURE_MI_OBJECT_ID}'"

step "service account ${SA_EMAIL}"
exists gcloud iam service-accounts describe "$SA_EMAIL" --project "$GOOGLE_PROJECT" ||
  gcloud iam service-accounts create "$SA_NAME" --project "$GOOGLE_PROJECT" \
    --display-name "BqDispatch (Azure Functions)"

for project in $BQ_PROJECTS; do
  step "custom role ${ROLE_ID} (bigquery.jobs.get/list/listAll) and its binding on ${project}"
  exists gcloud iam roles describe "$ROLE_ID" --project "$project" ||
    gcloud iam roles create "$ROLE_ID" --project "$project" --title "BqDispatch job watcher" \
      --description "Read BigQuery job states (jobs.get, jobs.list incl. all users)" \
      --permissions bigquery.jobs.get,bigquery.jobs.list,bigquery.jobs.listAll --stage GA
  gcloud projects add-iam-policy-binding "$project" --condition None --quiet \
    --member "serviceAccount:${SA_EMAIL}" --role "projects/${project}/roles/${ROLE_ID}" >/dev/null
done

# Bucket -> roles, added up where buckets coincide (objectUser already holds create and get).
declare -A BUCKET_ROLES=()
grant() {
  local bucket=$1
  shift
  BUCKET_ROLES[$bucket]="${BUCKET_ROLES[$bucket]:-} $*"
}
grant "$TASK_BUCKET" roles/storage.objectUser
grant "$TRIGGER_BUCKET" roles/storage.objectCreator roles/storage.objectViewer
grant "$JOURNAL_BUCKET" roles/storage.objectUser
grant "$ERROR_BUCKET" roles/storage.objectCreator roles/storage.legacyObjectReader

for bucket in "${!BUCKET_ROLES[@]}"; do
  roles=$(tr ' ' '\n' <<<"${BUCKET_ROLES[$bucket]}" | sed '/^$/d' | sort -u)
  if grep -qx roles/storage.objectUser <<<"$roles"; then
    roles=roles/storage.objectUser
  fi
  for role in $roles; do
    step "${role} on gs://${bucket}"
    gcloud storage buckets add-iam-policy-binding "gs://${bucket}" \
      --member "serviceAccount:${SA_EMAIL}" --role "$role" >/dev/null
  done
  # Narrow a grant made by an earlier version of this script; absent, there is nothing to remove.
  if gcloud storage buckets get-iam-policy "gs://${bucket}" --format=json |
    jq -e --arg m "serviceAccount:${SA_EMAIL}" \
      '.bindings[]? | select(.role == "roles/storage.objectAdmin") | .members | index($m)' >/dev/null; then
    step "removing roles/storage.objectAdmin on gs://${bucket}"
    gcloud storage buckets remove-iam-policy-binding "gs://${bucket}" \
      --member "serviceAccount:${SA_EMAIL}" --role roles/storage.objectAdmin >/dev/null
  fi
done

# Soft delete on the trigger bucket (issue 9). BqTail deletes each trigger object once it has acted on it; soft delete
# keeps the deleted object readable (objects.list softDeleted=true) for the retention, which is how BqDispatch tells
# "never created" from "created and consumed" after a lost answer, a crash or a takeover, and so never hands work off
# twice. New buckets get 7 days by default; this makes sure an older or changed bucket keeps at least 1 day. It needs
# no extra role for the dispatcher (storage.objects.list is in objectAdmin). Costs: deleted trigger objects are kept
# (and billed) for the retention; they are a few KB each.
step "soft delete on gs://${TRIGGER_BUCKET} (at least 1 day)"
retention=$(gcloud storage buckets describe "gs://${TRIGGER_BUCKET}" --format='value(soft_delete_policy.retentionDurationSeconds)')
if [ -z "$retention" ] || [ "$retention" -lt 86400 ]; then
  gcloud storage buckets update "gs://${TRIGGER_BUCKET}" --soft-delete-duration=7d >/dev/null
fi

step "roles/iam.workloadIdentityUser on ${SA_EMAIL} for the managed identity"
gcloud iam service-accounts add-iam-policy-binding "$SA_EMAIL" --project "$GOOGLE_PROJECT" \
  --role roles/iam.workloadIdentityUser \
  --member "principal://iam.googleapis.com/${POOL}/subject/${AZURE_MI_OBJECT_ID}" >/dev/null

step "credential configuration -> ${OUTPUT}"
gcloud iam workload-identity-pools create-cred-config "${POOL}/providers/${PROVIDER_ID}" \
  --azure --app-id-uri "$AZURE_APP_ID_URI" \
  --service-account "$SA_EMAIL" \
  --output-file "$OUTPUT"
# The app has only a user-assigned identity: the token request must name it (client_id). BqDispatch moves the
# request from the VM metadata URL to the Functions identity endpoint at start-up and keeps this parameter.
jq --arg id "$AZURE_MI_CLIENT_ID" \
  '.credential_source.url |= (if test("[?&]client_id=") then . else . + "&client_id=" + $id end)' \
  "$OUTPUT" > "${OUTPUT}.tmp" && mv "${OUTPUT}.tmp" "$OUTPUT"

# Completion events (issue 10): BigQuery writes an audit entry when a job is DONE; a log sink in each watched project
# publishes those entries to one topic, and a subscription delivers them to the dispatcher. Events only speed the
# dispatcher up (Google does not guarantee every entry); the jobs.list sweep stays as the safety net.
if [ -n "${EVENTS:-}" ]; then
  EVENTS_TOPIC=${EVENTS_TOPIC:-bq-job-done}
  EVENTS_SUBSCRIPTION=${EVENTS_SUBSCRIPTION:-bqdispatch-events}
  TOPIC="projects/${GOOGLE_PROJECT}/topics/${EVENTS_TOPIC}"
  FILTER='resource.type="bigquery_project" AND protoPayload.methodName="google.cloud.bigquery.v2.JobService.InsertJob" AND protoPayload.metadata.jobChange.after="DONE"'

  step "events: enabling Pub/Sub and Cloud Logging"
  gcloud services enable pubsub.googleapis.com logging.googleapis.com --project "$GOOGLE_PROJECT"
  step "events: topic ${TOPIC}"
  exists gcloud pubsub topics describe "$EVENTS_TOPIC" --project "$GOOGLE_PROJECT" ||
    gcloud pubsub topics create "$EVENTS_TOPIC" --project "$GOOGLE_PROJECT" >/dev/null

  for project in $BQ_PROJECTS; do
    step "events: log sink bqdispatch-job-done in ${project}"
    exists gcloud logging sinks describe bqdispatch-job-done --project "$project" ||
      gcloud logging sinks create bqdispatch-job-done "pubsub.googleapis.com/${TOPIC}" \
        --project "$project" --log-filter "$FILTER" >/dev/null
    writer=$(gcloud logging sinks describe bqdispatch-job-done --project "$project" --format='value(writerIdentity)')
    gcloud pubsub topics add-iam-policy-binding "$EVENTS_TOPIC" --project "$GOOGLE_PROJECT" \
      --member "$writer" --role roles/pubsub.publisher >/dev/null
  done

  case "$EVENTS" in
    push)
      : "${EVENTS_PUSH_ENDPOINT:?EVENTS=push needs EVENTS_PUSH_ENDPOINT (https://<app>/api/events)}"
      PUSH_SA_NAME=${EVENTS_PUSH_SA_NAME:-bqdispatch-pusher}
      PUSH_SA="${PUSH_SA_NAME}@${GOOGLE_PROJECT}.iam.gserviceaccount.com"
      step "events: push service account ${PUSH_SA}"
      exists gcloud iam service-accounts describe "$PUSH_SA" --project "$GOOGLE_PROJECT" ||
        gcloud iam service-accounts create "$PUSH_SA_NAME" --project "$GOOGLE_PROJECT" \
          --display-name "BqDispatch event push (signs the OIDC tokens of pushes)" >/dev/null
      # Pub/Sub mints the push tokens as this account: its service agent needs to create tokens for it.
      gcloud iam service-accounts add-iam-policy-binding "$PUSH_SA" --project "$GOOGLE_PROJECT" \
        --member "serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com" \
        --role roles/iam.serviceAccountTokenCreator >/dev/null
      step "events: push subscription ${EVENTS_SUBSCRIPTION} -> ${EVENTS_PUSH_ENDPOINT}"
      exists gcloud pubsub subscriptions describe "$EVENTS_SUBSCRIPTION" --project "$GOOGLE_PROJECT" ||
        gcloud pubsub subscriptions create "$EVENTS_SUBSCRIPTION" --project "$GOOGLE_PROJECT" --topic "$EVENTS_TOPIC" \
          --push-endpoint "$EVENTS_PUSH_ENDPOINT" --push-auth-service-account "$PUSH_SA" \
          --push-auth-token-audience "$EVENTS_PUSH_ENDPOINT" --ack-deadline 60 \
          --min-retry-delay 10s --max-retry-delay 600s >/dev/null
      EVENT_CONFIG="\"EventAudience\": \"${EVENTS_PUSH_ENDPOINT}\", \"EventServiceAccount\": \"${PUSH_SA}\""
      EVENT_BICEP="-p eventAudience=${EVENTS_PUSH_ENDPOINT} -p eventServiceAccount=${PUSH_SA}"
      ;;
    pull)
      step "events: pull subscription ${EVENTS_SUBSCRIPTION}, consumed by ${SA_EMAIL}"
      exists gcloud pubsub subscriptions describe "$EVENTS_SUBSCRIPTION" --project "$GOOGLE_PROJECT" ||
        gcloud pubsub subscriptions create "$EVENTS_SUBSCRIPTION" --project "$GOOGLE_PROJECT" --topic "$EVENTS_TOPIC" \
          --ack-deadline 60 >/dev/null
      gcloud pubsub subscriptions add-iam-policy-binding "$EVENTS_SUBSCRIPTION" --project "$GOOGLE_PROJECT" \
        --member "serviceAccount:${SA_EMAIL}" --role roles/pubsub.subscriber >/dev/null
      EVENT_CONFIG="\"EventSubscription\": \"projects/${GOOGLE_PROJECT}/subscriptions/${EVENTS_SUBSCRIPTION}\""
      ;;
    *)
      echo "google-setup: EVENTS must be push or pull, not '${EVENTS}'" >&2
      exit 2
      ;;
  esac
  step "events: add to the dispatcher's CONFIG: ${EVENT_CONFIG}"
  if [ -n "${EVENT_BICEP:-}" ]; then
    echo "  (or deploy infra/main.bicep with ${EVENT_BICEP})"
  fi
fi

step "done. Set it on the app (it holds no secret):"
echo "  az functionapp config appsettings set -g <rg> -n <app> --settings GOOGLE_CREDENTIALS_JSON=\"\$(jq -c . ${OUTPUT})\""
