#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Existing material taken as it is: a reference-architecture fleet file with aliases, and a KubeFed
# document placed by alias whose override sets a field its template lacks.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    $script:emu = Start-TestEmulator -Clusters 2 -NamePrefix fidelity
    $contexts = $script:emu.Contexts

    $fleetYaml = @"
architecture:
  regions:
    - name: us-east-1
      clusters:
        - name: shop-east-01
          context: $($contexts[0])
          aliases: [shop-east]
          purpose: production
          size: 60 nodes
          k8s_version: "1.32"
          network: { clusterId: 1 }
    - name: eu-west-1
      clusters:
        - name: shop-west-01
          context: $($contexts[1])
          aliases: [shop-west]
          purpose: production
          size: 40 nodes
          k8s_version: "1.32"
  management:
    cluster: shop-east-01
    tools: [Cluster API, Argo CD]
  networking:
    mesh: Cilium Cluster Mesh
  data:
    replication: active-active
  identity:
    federation: Dex with OIDC
"@
    Import-Fleet -Content $fleetYaml -Kubeconfig $script:emu.Kubeconfig
    @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'shop' } } | Invoke-FleetApply | Out-Null
}

AfterAll {
    Stop-TestEmulator $script:emu
}

Describe 'A reference-architecture fleet file' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'shows its sections with the product recognised in each' {
        $architecture = (Get-Fleet).Architecture
        $architecture.Networking.Mesh.Provider | Should -Be 'Cilium'
        $architecture.Networking.Mesh.Text | Should -Be 'Cilium Cluster Mesh'
        $architecture.Data.ActiveActive | Should -BeTrue
        $architecture.Identity.Federation.Provider | Should -Be 'Dex'
        $architecture.Management.Tools | Should -HaveCount 2
    }

    It 'is checked against its clusters: the Cilium member without a cluster id' {
        $findings = @(Test-FleetArchitecture | Where-Object RuleId -eq MeshClusterIdMissing)
        $findings | Should -HaveCount 1
        $findings[0].Target | Should -Be 'shop-west-01'
        $findings[0].Severity | Should -Be 'Error'
    }

    It 'resolves aliases in -Cluster' {
        $clusters = @(Get-FleetCluster -Cluster shop-west)
        $clusters | Should -HaveCount 1
        $clusters[0].Name | Should -Be 'shop-west-01'
    }
}

Describe 'A KubeFed document placed by alias' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'publishes with an override of a field its template lacks, as KubeFed would' {
        $document = @'
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata:
  name: storefront
  namespace: shop
spec:
  template:
    data:
      banner: welcome
  placement:
    clusters: [{ name: shop-east }, { name: shop-west }]
  overrides:
    - clusterName: shop-west
      clusterOverrides:
        - path: /metadata/annotations
          value: { locale: en-GB }
'@
        $results = @($document | Publish-FleetWorkload)
        $results | Should -HaveCount 2
        ($results | Sort-Object Cluster).Cluster | Should -Be @('shop-east-01', 'shop-west-01')
        $results.Action | Should -Not -Contain 'Failed'

        $again = @($document | Publish-FleetWorkload)
        $again | Should -HaveCount 2
        $again.Action | Should -Be @('Unchanged', 'Unchanged')
    }

    It 'refuses an override whose parent is missing, naming document, line and value, before any change' {
        $document = @'
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata:
  name: checkout
  namespace: shop
spec:
  template:
    data:
      banner: pay
  placement:
    clusters: [{ name: shop-east }]
  overrides:
    - clusterName: shop-east
      clusterOverrides:
        - path: /spec/template/replicas
          value: 3
'@
        { $document | Publish-FleetWorkload -ErrorAction Stop } | Should -Throw -ErrorId 'OverrideInvalid,*'
        try { $document | Publish-FleetWorkload -ErrorAction Stop } catch { $message = $_.Exception.Message }
        $message | Should -BeLike "*(value 3)*FederatedConfigMap shop/checkout*line 1*/spec does not exist*"
        $status = @(Get-FleetWorkload checkout ConfigMap -Namespace shop)
        $status | Should -HaveCount 2
        $status.Present | Should -Not -Contain $true
    }
}
