#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Submariner across three emulated clusters with the real Submariner and MCS CRDs, two of them sharing a pod range.
# Needs ../shared/crds; skipped without it.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    $script:noCrds = -not (Get-SharedCrdsDirectory)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    if (-not (Get-SharedCrdsDirectory)) { return }

    $script:emu = Start-TestEmulator -Clusters 3 -NamePrefix pestersub -Crds 'submariner,mcs-api' -Controllers 'mcs,serviceaccount-tokens'
    $contexts = $script:emu.Contexts
    $fleetYaml = @"
name: tunnels
clusters:
  - name: hub
    context: $($contexts[0])
    role: management
    network: { podCidr: 10.240.0.0/16, serviceCidr: 10.90.0.0/16 }
  - name: east
    context: $($contexts[1])
    network: { podCidr: 10.244.0.0/16, serviceCidr: 10.96.0.0/16 }
  - name: west
    context: $($contexts[2])
    network: { podCidr: 10.244.0.0/16, serviceCidr: 10.97.0.0/16 }
"@
    Import-Fleet -Content $fleetYaml -Kubeconfig $script:emu.Kubeconfig
    foreach ($name in 'hub', 'east', 'west') {
        @{ apiVersion = 'v1'; kind = 'Node'; metadata = @{ name = "$name-worker" } } | Invoke-FleetApply -Cluster $name | Out-Null
    }
}

AfterAll {
    if ($script:emu) { Stop-TestEmulator $script:emu }
}

Describe 'Join-FleetMesh -Provider Submariner' -Skip:$script:noCrds {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'refuses overlapping ranges without Globalnet, naming the pair, before anything changes' {
        { Get-FleetCluster | Join-FleetMesh -Provider Submariner -LabelGatewayNode -ErrorAction Stop } |
            Should -Throw -ErrorId 'CidrOverlap,MultiCluster.Commands.Mesh.JoinFleetMeshCommand' -ExpectedMessage '*east pod range 10.244.0.0/16 (fleet file) and west pod range 10.244.0.0/16 (fleet file)*Enable Submariner Globalnet*'
        @(Get-FleetResource -Kind Namespace -Name submariner-k8s-broker -ErrorVariable noBroker -ErrorAction SilentlyContinue) | Should -HaveCount 0
        @(Get-FleetResource -Kind Namespace -Name submariner-operator -ErrorVariable noOperator -ErrorAction SilentlyContinue) | Should -HaveCount 0
        $noBroker | Should -HaveCount 3
        $noOperator | Should -HaveCount 3
        @($noBroker) + @($noOperator) | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*' }
    }

    It 'names the node to label when no gateway is labelled' {
        { Join-FleetMesh -Provider Submariner -Globalnet -ErrorAction Stop } |
            Should -Throw -ErrorId 'GatewayNodeMissing,MultiCluster.Commands.Mesh.JoinFleetMeshCommand' -ExpectedMessage '*kubectl label node hub-worker submariner.io/gateway=true*'
    }

    It 'previews per cluster with -WhatIf and changes nothing' {
        $preview = @(Join-FleetMesh -Provider Submariner -Globalnet -LabelGatewayNode -WhatIf)
        # hub: the broker (namespace, Broker, Role, 3 x account/binding/token, globalnet-info, PSK) and its member objects;
        # each member: namespace, Submariner, the two credential Secrets and its gateway node's label.
        $preview | Should -HaveCount 29
        @($preview | Where-Object Cluster -eq hub) | Should -HaveCount 19
        @($preview | Where-Object Cluster -eq east) | Should -HaveCount 5
        @($preview | Where-Object Action -eq WouldChange | ForEach-Object Kind | Sort-Object -Unique) | Should -Be @('Node')
        @(Get-FleetResource -Kind Namespace -Name submariner-k8s-broker -ErrorVariable noBroker -ErrorAction SilentlyContinue) | Should -HaveCount 0
        $noBroker | Should -HaveCount 3
        $noBroker | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*' }
    }

    It 'joins with global CIDRs, keeps credentials in Secrets, then reports Unchanged and proves every pair through MCS' {
        $joined = @(Get-FleetCluster | Join-FleetMesh -Provider Submariner -Globalnet -LabelGatewayNode)
        $joined | Should -HaveCount 29
        @($joined | Where-Object Action -eq Failed) | Should -HaveCount 0

        $specs = Get-FleetResource -Kind Submariner -ApiVersion submariner.io/v1alpha1 -Namespace submariner-operator | Sort-Object Cluster
        $specs | Should -HaveCount 3
        $specs.ForEach({ "$($_.Cluster)=$($_.Object.spec.globalCIDR)" }) | Should -Be @('east=242.1.0.0/16', 'hub=242.0.0.0/16', 'west=242.2.0.0/16')
        $specs.ForEach({ $_.Object.spec.brokerK8sSecret }) | Should -Be @('submariner-broker-secret', 'submariner-broker-secret', 'submariner-broker-secret')
        $specs.ForEach({ $_.Object.spec.Contains('brokerK8sApiServerToken') }) | Should -Be @($false, $false, $false)
        (Get-FleetResource -Kind Node -Name west-worker -Cluster west).Labels['submariner.io/gateway'] | Should -Be 'true'

        $again = @(Join-FleetMesh -Provider Submariner -Globalnet -Verify -TimeoutSeconds 30)
        $results = @($again | Where-Object { $_ -is [MultiCluster.FleetResourceResult] })
        $results | Should -HaveCount 26
        @($results | Where-Object Action -ne Unchanged) | Should -HaveCount 0
        $links = @($again | Where-Object { $_ -is [MultiCluster.FleetMeshLink] })
        $links | Should -HaveCount 6
        @($links | Where-Object Status -ne Healthy) | Should -HaveCount 0
        ($links | ForEach-Object { "$($_.Cluster)>$($_.Peer)" } | Sort-Object) | Should -Be @('east>hub', 'east>west', 'hub>east', 'hub>west', 'west>east', 'west>hub')
    }
}
