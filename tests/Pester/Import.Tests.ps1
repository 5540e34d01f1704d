#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Import-Fleet -From and Export-Fleet against three emulated clusters: the hub runs Cluster API (real CRDs,
# simulated controller) and Argo CD (real CRDs); the others are registered in Argo CD with real tokens.
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

    $script:emu = Start-TestEmulator -Clusters 3 -NamePrefix pesterimport -Crds 'argo-cd,cluster-api,cluster-api-docker' -Controllers 'all'
    $script:kubeconfig = $script:emu.Kubeconfig
    $script:contexts = $script:emu.Contexts
    $script:folder = (New-Item -ItemType Directory -Path (Join-Path ([System.IO.Path]::GetTempPath()) "mc-pester-import-$([guid]::NewGuid().ToString('N').Substring(0, 8))")).FullName
    $script:fleetYaml = @"
name: pester-import
clusters:
  - name: hub
    context: $($script:contexts[0])
    region: us-east-1
    role: management
  - name: prod-use1
    context: $($script:contexts[1])
    region: us-east-1
    labels: { env: prod }
  - name: prod-euc1
    context: $($script:contexts[2])
    region: eu-central-1
    labels: { env: prod }
"@
    Import-Fleet -Content $script:fleetYaml -Kubeconfig $script:kubeconfig
    @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'argocd' } } | Invoke-FleetApply -Cluster hub | Out-Null
    Register-FleetArgoCluster | Out-Null
}

AfterAll {
    if ($script:emu) { Stop-TestEmulator $script:emu }
    if ($script:folder) { Remove-Item $script:folder -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Import-Fleet -From' -Skip:$script:noCrds {
    BeforeEach {
        Import-Fleet -Content $script:fleetYaml -Kubeconfig $script:kubeconfig
    }

    It 'takes the clusters Argo CD knows as the fleet and reaches them with their tokens' {
        $Error.Clear()
        $all = @(Import-Fleet -From ArgoCD -ManagementCluster hub -Verbose *>&1)
        $imported = @($all | Where-Object { $_ -is [MultiCluster.FleetCluster] })
        $imported | Should -HaveCount 3
        $imported.Name | Should -Be @('hub', 'prod-euc1', 'prod-use1')
        $imported.Role | Should -Be @('Management', 'Workload', 'Workload')
        ($imported | Where-Object Name -eq 'prod-euc1').Region | Should -Be 'eu-central-1'
        (Get-Fleet).Name | Should -Be 'hub'

        $health = @(Get-FleetCluster | Test-FleetCluster)
        $health | Should -HaveCount 3
        $health | ForEach-Object { $_.Status | Should -Be 'Healthy' }
        Assert-NoSecretCanary -Output ($all + $health)
    }

    It 'writes the fleet back to a file without secrets that Import-Fleet reads' {
        Import-Fleet -From ArgoCD | Out-Null
        $path = Join-Path $script:folder 'argo.fleet.yaml'

        Export-Fleet $path -WhatIf
        Test-Path $path | Should -BeFalse

        Export-Fleet $path
        $text = Get-Content $path -Raw
        $text | Should -Match '- name: prod-use1'
        $text | Should -Not -Match 'token|certificate'
        { Export-Fleet $path -ErrorAction Stop } | Should -Throw -ErrorId 'FleetFileExists*'

        $fleet = Import-Fleet $path -PassThru
        $fleet.Clusters | Should -HaveCount 3
        $fleet.Clusters.Name | Should -Be @('hub', 'prod-euc1', 'prod-use1')
        @(Get-FleetCluster | Test-FleetCluster | Where-Object Status -eq 'Healthy') | Should -HaveCount 3
    }

    It 'finds the cluster New-FleetCluster created on the Cluster API management cluster, and reaches it' {
        New-FleetCluster pester-imp-01 -Provider Docker -KubernetesVersion v1.32.3 -WorkerReplicas 1 |
            Wait-FleetCluster -PollIntervalSeconds 1 -TimeoutSeconds 120 | Out-Null
        $kubeconfig = Join-Path $script:folder 'capi.kubeconfig'

        $imported = @(Import-Fleet -From ClusterApi -ManagementCluster hub -KubeconfigPath $kubeconfig)

        $imported | Should -HaveCount 2
        $imported.Name | Should -Be @('hub', 'pester-imp-01')
        $imported[1].Phase | Should -Be 'Provisioned'
        $imported[1].Provider | Should -Be 'Docker'
        $imported[1].ManagementCluster | Should -Be 'hub'
        if (-not $IsWindows) { (Get-Item $kubeconfig).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
        $health = Test-FleetCluster -Cluster pester-imp-01
        $health.Status | Should -Be 'Healthy'
        $health.ServerVersion | Should -Be 'v1.32.3'
        $health.NodeCount | Should -Be 2
    }

    It 'refuses an Argo CD secret without server and keeps the fleet' {
        @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'argocd-broken' } } | Invoke-FleetApply -Cluster hub | Out-Null
        @{ apiVersion = 'v1'; kind = 'Secret'; metadata = @{ name = 'no-server'; namespace = 'argocd-broken'; labels = @{ 'argocd.argoproj.io/secret-type' = 'cluster' } }
           stringData = @{ name = 'edge-1'; config = '{}' } } | Invoke-FleetApply -Cluster hub | Out-Null

        { Import-Fleet -From ArgoCD -Namespace argocd-broken -ErrorAction Stop } | Should -Throw -ErrorId 'FleetSourceInvalid*'
        (Get-Fleet).Name | Should -Be 'pester-import'
        @(Get-FleetCluster) | Should -HaveCount 3
    }

    It 'refuses a merge that would give two clusters one name' {
        Import-Fleet -From ArgoCD | Out-Null
        { Import-Fleet -From ArgoCD -Merge -ErrorAction Stop } | Should -Throw -ErrorId 'FleetClusterNameConflict*'
        @(Get-FleetCluster) | Should -HaveCount 3
    }
}
