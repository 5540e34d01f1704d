#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Mesh and cross-cluster networking scenarios against three emulated clusters with RBAC and tokens.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    $script:noCrds = -not (Get-SharedCrdsDirectory)
    # The load balancer's address is written to the gateway Service's status with kubectl.
    $script:noKubectl = -not (Get-Command kubectl -ErrorAction SilentlyContinue)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    $script:emu = Start-TestEmulator -Clusters 3 -NamePrefix mesh -Controllers 'rbac,serviceaccount-tokens'
    $script:work = $script:emu.Directory
    $script:kubeconfig = $script:emu.Kubeconfig
    $script:contexts = $script:emu.Contexts

    $fleetYaml = @"
name: mesh
clusters:
  - name: east
    context: $($script:contexts[0])
    region: us-east-1
    network: { podCidr: 10.1.0.0/16, serviceCidr: 10.101.0.0/16, clusterId: 1 }
  - name: west
    context: $($script:contexts[1])
    region: us-west-2
    network: { podCidr: 10.1.128.0/17, serviceCidr: 10.102.0.0/16, clusterId: 2 }
  - name: central
    context: $($script:contexts[2])
    region: eu-central-1
    network: { podCidr: 10.3.0.0/16, serviceCidr: 10.103.0.0/16, clusterId: 2 }
"@
    Import-Fleet -Content $fleetYaml -Kubeconfig $script:kubeconfig
}

AfterAll {
    Stop-TestEmulator $script:emu
}

Describe 'Test-FleetNetwork' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'finds the overlapping pod ranges and the duplicate cluster id, and nothing else' {
        $findings = @(Get-FleetCluster | Test-FleetNetwork -Provider Cilium | Where-Object Status -ne Pass)
        $findings.Count | Should -Be 2
        $findings[0].Check | Should -Be 'CidrOverlap'
        $findings[0].Cluster | Should -Be 'east'
        $findings[0].Peer | Should -Be 'west'
        $findings[0].Status | Should -Be 'Fail'
        $findings[0].RecommendedAction | Should -BeLike '*Submariner Globalnet*'
        $findings[1].Check | Should -Be 'ClusterId'
        $findings[1].Cluster | Should -Be 'central'
        $findings[1].Peer | Should -Be 'west'
        $findings[1].Message | Should -Be 'Cluster id 2 of central (fleet file) is also the id of west (fleet file).'
    }

    It 'formats its checks in 80 columns with the status visible' {
        $table = Test-FleetNetwork -Cluster east -Provider Submariner | Format-Table | Out-String -Width 80
        $table | Should -Match 'Status'
        ($table -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
    }
}

Describe 'Istio multi-primary' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'joins every pair, heals exactly the link deleted by hand, and rotates tokens' -Skip:$script:noKubectl {
        $joined = @(Get-FleetCluster | Join-FleetMesh -Provider Istio -MeshId mesh1 -Network @{ east = 'net-east'; west = 'net-west'; central = 'net-central' } `
            -ErrorVariable istioMissing -ErrorAction SilentlyContinue)
        # These clusters have no Istio CRDs: the cross-network Gateway waits for Istio, the links do not.
        $gateways = @($joined | Where-Object { $_ -is [MultiCluster.FleetResourceResult] })
        $gateways.Cluster | Sort-Object | Should -Be @('central', 'east', 'west')
        $gateways | ForEach-Object { $_.Name | Should -Be 'cross-network-gateway'; $_.Action | Should -Be 'Failed' }
        $istioMissing | Should -HaveCount 3
        $istioMissing | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'IstioNotInstalled,*' }
        ($istioMissing | Where-Object TargetObject -eq 'west').Exception.Message |
            Should -Be "Cluster 'west' does not serve the Istio Gateway kind (networking.istio.io/v1), so istio-system/cross-network-gateway was not applied: Istio is not installed there."
        $links = @($joined | Where-Object { $_ -is [MultiCluster.FleetMeshLink] })
        $links.Count | Should -Be 6
        $links | ForEach-Object { $_.Action | Should -Be 'Created'; $_.Status | Should -Be 'Healthy' }

        # Three networks: each peer's east-west gateway needs an external address before traffic can cross.
        $noGateway = @(Test-FleetMesh | Where-Object Status -ne Healthy)
        $noGateway.Count | Should -Be 6
        $noGateway | ForEach-Object { $_.Message | Should -BeLike "*east-west gateway istio-system/istio-eastwestgateway has no external address*" }
        @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = 'istio-eastwestgateway'; namespace = 'istio-system' }
           spec = @{ type = 'LoadBalancer'; ports = @(@{ name = 'tls'; port = 15443 }) } } | Invoke-FleetApply | Out-Null
        $address = 10
        foreach ($context in $script:contexts) {
            # What the cloud's load-balancer controller writes.
            kubectl --kubeconfig $script:kubeconfig --context $context -n istio-system patch service istio-eastwestgateway --subresource=status `
                --type=merge -p "{""status"":{""loadBalancer"":{""ingress"":[{""ip"":""203.0.113.$address""}]}}}" | Out-Null
            $address++
        }

        $healed = @(Test-FleetMesh)
        $healed.Count | Should -Be 6
        @($healed | Where-Object Status -ne Healthy).Count | Should -Be 0
        Remove-FleetResource -Kind Secret -Name istio-remote-secret-central -Namespace istio-system -Cluster west -Confirm:$false | Out-Null
        $broken = @(Test-FleetMesh | Where-Object Status -ne Healthy)
        $broken.Count | Should -Be 1
        $broken[0].Cluster | Should -Be 'west'
        $broken[0].Peer | Should -Be 'central'

        $again = @(Join-FleetMesh -Provider Istio -MeshId mesh1)
        $again.Count | Should -Be 6
        @($again | Where-Object Action -ne Unchanged).Count | Should -Be 1
        ($again | Where-Object Action -eq Created).Cluster | Should -Be 'west'

        $rotated = @(Join-FleetMesh -Provider Istio -MeshId mesh1 -Rotate)
        $rotated | Should -HaveCount 6
        $rotated | ForEach-Object { $_.Action | Should -Be 'Configured'; $_.Status | Should -Be 'Healthy' }
        @(Test-FleetMesh | Where-Object Status -eq Healthy).Count | Should -Be 6
    }

    It 'refuses a mesh id that is no label value before touching a cluster' {
        { Join-FleetMesh -Provider Istio -MeshId 'mesh one' -ErrorAction Stop } | Should -Throw -ErrorId 'MeshIdInvalid*'
    }

    It 'removes a member from every peer' -Skip:$script:noKubectl {
        $removed = @(Remove-FleetMesh -Cluster central -Confirm:$false)
        $removed.Count | Should -Be 4
        $removed | ForEach-Object { $_.Action | Should -Be 'Deleted' }
        $left = @(Test-FleetMesh -Cluster east, west)
        $left.Count | Should -Be 2
        $left | ForEach-Object { $_.Status | Should -Be 'Healthy' }
    }
}

Describe 'Set-FleetGlobalService' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'marks a service global with either annotation form and reads both back the same' {
        @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = 'api'; namespace = 'default' }
           spec = @{ ports = @(@{ port = 8080 }) } } | Invoke-FleetApply -Cluster east, west | Out-Null
        $current = Set-FleetGlobalService api -Affinity local -Cluster east
        $legacy = Set-FleetGlobalService api -Affinity local -LegacyAnnotation -Cluster west
        $current.Global | Should -BeTrue
        $legacy.Global | Should -BeTrue
        $current.Affinity | Should -Be 'Local'
        $legacy.Affinity | Should -Be $current.Affinity
        $legacy.AnnotationStyle | Should -Be 'Legacy'
        (Set-FleetGlobalService api -Affinity local -LegacyAnnotation -Cluster west).Action | Should -Be 'Unchanged'
        $annotations = (Get-FleetResource -Kind Service -Name api -Namespace default -Cluster west).Object.metadata.annotations
        $annotations.'io.cilium/global-service' | Should -Be 'true'
    }
}

Describe 'Export-FleetService and Set-FleetTrafficPolicy' -Skip:$script:noCrds {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory, $script:mcs.Directory }

    BeforeAll {
        $script:mcs = Start-TestEmulator -Clusters 3 -NamePrefix mcs -Crds 'mcs-api,istio' -Controllers 'mcs'
        $contexts = $script:mcs.Contexts
        Import-Fleet -Kubeconfig $script:mcs.Kubeconfig -Content @"
name: services
clusters:
  - { name: east, context: $($contexts[0]), region: us-east-1, labels: { env: prod } }
  - { name: west, context: $($contexts[1]), region: us-west-2, labels: { env: prod } }
  - { name: lab, context: $($contexts[2]), region: eu-central-1, labels: { env: dev } }
"@
        @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = 'api'; namespace = 'default' }
           spec = @{ ports = @(@{ name = 'http'; port = 80 }) } } | Invoke-FleetApply -Selector env=prod | Out-Null
    }

    AfterAll {
        Stop-TestEmulator $script:mcs
    }

    It 'exports from the production clusters and every member imports it' {
        $exports = @(Export-FleetService api -Selector env=prod -Wait -TimeoutSeconds 30)
        $exports | Should -HaveCount 2
        $exports.Status | Should -Be @('Exported', 'Exported')
        $exports[0].DnsName | Should -Be 'api.default.svc.clusterset.local'
        $exports | ForEach-Object { $_.ImportedBy | Should -HaveCount 3 }
        @(Export-FleetService api -Selector env=prod).Action | Should -Be @('Unchanged', 'Unchanged')
    }

    It 'refuses a name that is not a DNS label before writing anything' {
        { Export-FleetService Bad_Name -ErrorAction Stop } | Should -Throw -ErrorId 'ServiceNameInvalid*'
    }

    It 'puts locality weights on the production clusters and reports Unchanged the second time' {
        $weights = @{ 'us-east-1' = @{ 'us-east-1' = 80; 'us-west-2' = 20 } }
        $results = @(Set-FleetTrafficPolicy api -Distribute $weights -Selector env=prod)
        $results | Should -HaveCount 4
        ($results | Where-Object Kind -eq DestinationRule).Cluster | Sort-Object | Should -Be @('east', 'west')
        $results.Action | Sort-Object -Unique | Should -Be 'Created'
        @(Set-FleetTrafficPolicy api -Distribute $weights -Selector env=prod).Action | Sort-Object -Unique | Should -Be 'Unchanged'
    }

    It 'refuses weights that do not add up to 100 and writes nothing' {
        { Set-FleetTrafficPolicy cart -Distribute @{ 'us-east-1' = @{ 'us-east-1' = 50; 'us-west-2' = 20 } } -ErrorAction Stop } |
            Should -Throw -ErrorId 'LocalityWeightsInvalid*'
        Get-FleetResource DestinationRule cart -Namespace default -ErrorVariable notFound -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $notFound | Should -HaveCount 3
        $notFound | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*' }
    }
}

# Last: it imports a fleet of its own. Needs ../shared/crds (Istio's CRDs); skipped without it.
Describe 'Istio cross-network Gateway' -Skip:$script:noCrds {
    BeforeAll {
        $script:istio = Start-TestEmulator -Clusters 2 -NamePrefix istio -Crds 'istio' -Controllers 'rbac,serviceaccount-tokens'
        $contexts = $script:istio.Contexts
        Import-Fleet -Kubeconfig $script:istio.Kubeconfig -Content @"
name: networks
clusters:
  - { name: east, context: $($contexts[0]), region: us-east-1 }
  - { name: west, context: $($contexts[1]), region: us-west-2 }
"@
    }

    AfterAll {
        Stop-TestEmulator $script:istio
    }

    It 'previews, applies and then leaves unchanged the Gateway of each network, beside the links' {
        $preview = @(Join-FleetMesh -Provider Istio -MeshId mesh1 -NetworkPerRegion -WhatIf)
        $preview | Where-Object { $_ -is [MultiCluster.FleetResourceResult] } | ForEach-Object { $_.Action | Should -Be 'WouldCreate' }
        @($preview | Where-Object { $_ -is [MultiCluster.FleetResourceResult] }).Count | Should -Be 2
        Get-FleetResource -Kind Gateway -Namespace istio-system -ErrorAction Stop | Should -BeNullOrEmpty

        $joined = @(Join-FleetMesh -Provider Istio -MeshId mesh1 -NetworkPerRegion -ErrorAction Stop)
        $gateways = @($joined | Where-Object { $_ -is [MultiCluster.FleetResourceResult] })
        $gateways.Cluster | Sort-Object | Should -Be @('east', 'west')
        $gateways | ForEach-Object { $_.Kind | Should -Be 'Gateway'; $_.Namespace | Should -Be 'istio-system'; $_.Action | Should -Be 'Created' }
        @($joined | Where-Object { $_ -is [MultiCluster.FleetMeshLink] -and $_.Status -eq 'Healthy' }).Count | Should -Be 2
        $live = Get-FleetResource -Kind Gateway -Name cross-network-gateway -Namespace istio-system -Cluster west
        $live.Object.spec.selector.istio | Should -Be 'eastwestgateway'
        $live.Object.spec.servers[0].tls.mode | Should -Be 'AUTO_PASSTHROUGH'

        $again = @(Join-FleetMesh -Provider Istio -MeshId mesh1 -NetworkPerRegion -ErrorAction Stop)
        $again | ForEach-Object { $_.Action | Should -Be 'Unchanged' }
        @($again | Where-Object { $_ -is [MultiCluster.FleetResourceResult] }).Count | Should -Be 2
    }

    It 'applies no Gateway when every member is on one network' {
        $flat = @(Join-FleetMesh -Provider Istio -MeshId mesh1 -Network @{ east = 'net-a'; west = 'net-a' } -ErrorAction Stop)
        $flat | ForEach-Object { $_ | Should -BeOfType ([MultiCluster.FleetMeshLink]) }
        $flat.Count | Should -Be 2
    }
}
