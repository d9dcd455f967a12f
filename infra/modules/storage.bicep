// The Functions host's storage: blobs (leases, timer schedule, deployment package), queues and tables (the Durable
// task hub on Azure Storage). Shared keys are off; everything connects with the managed identity. The network rules
// come from main.bicep: by default only the app's subnet, the listed IP ranges and trusted Azure services get in.
param name string
param location string
param tags object = {}
param deploymentContainer string

@description('Enabled: the public endpoint answers, subject to the network rules below. Disabled: only private endpoints do.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Deny: only the allowed subnets and IP ranges (and trusted Azure services) get in. Allow: every network does.')
@allowed([
  'Allow'
  'Deny'
])
param networkDefaultAction string = 'Deny'

@description('Subnet resource ids that may reach the account (each needs a Microsoft.Storage service endpoint).')
param allowedSubnetIds array = []

@description('Public IP addresses or CIDR ranges that may reach the account, e.g. an operator\'s.')
param allowedIpRanges array = []

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      defaultAction: networkDefaultAction
      bypass: 'AzureServices'
      virtualNetworkRules: [
        for subnetId in allowedSubnetIds: {
          id: subnetId
          action: 'Allow'
        }
      ]
      ipRules: [
        for range in allowedIpRanges: {
          value: range
          action: 'Allow'
        }
      ]
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
