// Flex Consumption plan (FC1) and the Function App: .NET 10 isolated (functionAppConfig.runtime, as in
// Azure-Samples/functions-quickstart-dotnet-azd; Flex takes no FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION
// / WEBSITE_* content settings), deployment package in a blob container read with the managed identity, and the
// host's storage connection by identity (AzureWebJobsStorage__*).
param name string
param planName string
param location string
param tags object = {}
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainer string
param appInsightsConnectionString string
param maximumInstanceCount int = 40
param instanceMemoryMB int = 2048

@description('App settings of the dispatcher (CONFIG, GOOGLE_CREDENTIALS_JSON, TASKHUB_NAME, ...).')
param appSettings object = {}

@description('Subnet the app joins (virtual network integration); empty for none.')
param subnetId string = ''

@description('Allow basic (user name and password) publishing credentials for FTP and the SCM site.')
param basicPublishingCredentialsEnabled bool = false

@description('Public IP addresses or CIDR ranges that may call the app\'s HTTP functions; empty for any (function keys still apply).')
param allowedIpRanges array = []

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

var hostSettings = {
  // The host's storage (and the Durable task hub: connectionName AzureWebJobsStorage in host.json), by identity.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // Azure SDK clients (DefaultAzureCredential) pick the user-assigned identity.
  AZURE_CLIENT_ID: identityClientId
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: empty(subnetId) ? null : subnetId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      ipSecurityRestrictionsDefaultAction: empty(allowedIpRanges) ? 'Allow' : 'Deny'
      ipSecurityRestrictions: [
        for (range, i) in allowedIpRanges: {
          name: 'allowed-${i}'
          ipAddress: range
          action: 'Allow'
          priority: 100 + i
        }
      ]
      // Deployments reach the SCM site with Entra ID (basic credentials are off by default), from wherever they run.
      scmIpSecurityRestrictionsUseMain: false
    }
  }
}

// Basic publishing credentials: off by default, so FTP and the SCM site accept only Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: basicPublishingCredentialsEnabled
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: basicPublishingCredentialsEnabled
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, hostSettings)
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
