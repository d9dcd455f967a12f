// The app's one identity: storage (host, Durable task hub, deployment package), Application Insights ingestion,
// and the subject of the Entra token that Google's workload identity federation accepts.
param name string
param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
