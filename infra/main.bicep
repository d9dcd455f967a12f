// BqDispatch on Azure: a Flex Consumption Function App (.NET 10 isolated) with its storage (identity-based,
// no shared keys, reachable only from the app's subnet by default), Application Insights on Log Analytics, and one
// user-assigned managed identity holding the roles the app needs. Deploy into an existing resource group:
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json -p config=@config.json
// No secret is a parameter: CONFIG and the Google credential configuration hold none.
targetScope = 'resourceGroup'

@description('Short name used to derive resource names (letters and digits, 3-16 chars).')
@minLength(3)
@maxLength(16)
param name string = 'bqdispatch'

@description('Azure region of every resource (a region that offers Flex Consumption).')
param location string = resourceGroup().location

@description('The dispatcher configuration (CONFIG app setting): bqtail JSON text, or a gs:// URL of it.')
param config string

@description('Google credential configuration (GOOGLE_CREDENTIALS_JSON app setting): the external_account JSON written by infra/google/setup.sh. Empty to set it later.')
param googleCredentialsJson string = ''

@description('Durable Functions task hub name (TASKHUB_NAME): letters and digits, starting with a letter, at most 45 chars. Changing it starts a new, empty hub.')
@maxLength(45)
param taskHubName string = 'BqDispatch'

@description('Flex Consumption: most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Flex Consumption: memory per instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Days Log Analytics keeps logs.')
param logRetentionDays int = 30

@description('Object id of a user or group that may read the app\'s storage and telemetry while debugging (optional).')
param operatorPrincipalId string = ''

@description('Pause the dispatcher: sets AzureWebJobs.BqDispatchTimer.Disabled (redeploying applies this value again).')
param timerDisabled bool = false

@description('Put the app in a new virtual network (service endpoint to storage, NAT gateway for its outbound calls) and let the storage account accept only that subnet, storageAllowedIpRanges and trusted Azure services. false: the account accepts every network.')
param vnetEnabled bool = true

@description('Storage public network access. Enabled: the public endpoint answers, subject to the network rules. Disabled: only private endpoints answer (this template creates none).')
@allowed([
  'Enabled'
  'Disabled'
])
param storagePublicNetworkAccess string = 'Enabled'

@description('Public IP addresses or CIDR ranges that may reach the storage account when vnetEnabled, e.g. an operator\'s.')
param storageAllowedIpRanges array = []

@description('Allow basic (user name and password) publishing credentials for FTP and the SCM site. Deployments use Entra ID.')
param basicPublishingCredentialsEnabled bool = false

@description('Public IP addresses or CIDR ranges that may call the HTTP functions (status, run); empty for any (function keys still apply).')
param appAllowedIpRanges array = []

@description('Push completion events: the audience of the OIDC tokens Pub/Sub sends to POST /api/events (the push subscription\'s --push-auth-token-audience; infra/google/setup.sh uses the endpoint URL). Empty: no push. Sets EVENT_AUDIENCE; EventAudience in CONFIG wins.')
param eventAudience string = ''

@description('Push completion events: the service account that signs those tokens (setup.sh: bqdispatch-pusher@<project>.iam.gserviceaccount.com). Sets EVENT_SERVICE_ACCOUNT; EventServiceAccount in CONFIG wins.')
param eventServiceAccount string = ''

param tags object = {}

var token = toLower(uniqueString(resourceGroup().id, name, location))
var appName = 'func-${name}-${token}'
var storageName = take('st${replace(name, '-', '')}${token}', 24)
var deploymentContainer = 'app-package-${take(token, 8)}'
var vnetName = 'vnet-${name}-${token}'
var appSubnetId = vnetEnabled ? resourceId('Microsoft.Network/virtualNetworks/subnets', vnetName, 'app') : ''

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${name}-${token}'
    location: location
    tags: tags
  }
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  params: {
    name: vnetName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageName
    location: location
    tags: tags
    deploymentContainer: deploymentContainer
    publicNetworkAccess: storagePublicNetworkAccess
    networkDefaultAction: vnetEnabled ? 'Deny' : 'Allow'
    allowedSubnetIds: vnetEnabled ? [appSubnetId] : []
    allowedIpRanges: storageAllowedIpRanges
  }
  // The subnet and its service endpoint exist before a network rule names them.
  dependsOn: [
    network
  ]
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${name}-${token}'
    appInsightsName: 'appi-${name}-${token}'
    location: location
    tags: tags
    retentionInDays: logRetentionDays
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    principalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
  }
}

module app 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: appName
    planName: 'plan-${name}-${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainer: deploymentContainer
    appInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    subnetId: appSubnetId
    basicPublishingCredentialsEnabled: basicPublishingCredentialsEnabled
    allowedIpRanges: appAllowedIpRanges
    appSettings: {
      CONFIG: config
      GOOGLE_CREDENTIALS_JSON: googleCredentialsJson
      TASKHUB_NAME: taskHubName
      'AzureWebJobs.BqDispatchTimer.Disabled': timerDisabled ? 'true' : 'false'
      EVENT_AUDIENCE: eventAudience
      EVENT_SERVICE_ACCOUNT: eventServiceAccount
    }
  }
  // The host needs its storage roles before it starts.
  dependsOn: [
    rbac
  ]
}

output functionAppName string = app.outputs.name
output functionAppHostName string = app.outputs.defaultHostName
output managedIdentityClientId string = identity.outputs.clientId
output managedIdentityPrincipalId string = identity.outputs.principalId
output tenantId string = tenant().tenantId
output storageAccountName string = storage.outputs.name
output appInsightsName string = monitoring.outputs.appInsightsName
