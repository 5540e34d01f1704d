#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Argo CD delivery scenarios against three emulated clusters with RBAC, tokens and the real Argo CD CRDs.
# Needs ../shared/crds (the Argo CD CRDs); skipped without it.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    $script:noCrds = -not (Get-SharedCrdsDirectory)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    if (-not (Get-SharedCrdsDirectory)) { return }

    $script:emu = Start-TestEmulator -Clusters 3 -NamePrefix pesterargo -Crds argo-cd -Controllers 'rbac,serviceaccount-tokens'
    $script:kubeconfig = $script:emu.Kubeconfig
    $script:contexts = $script:emu.Contexts

    $fleetYaml = @"
name: pester-delivery
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
    Import-Fleet -Content $fleetYaml -Kubeconfig $script:kubeconfig
    @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'argocd' } } | Invoke-FleetApply -Cluster hub | Out-Null
}

AfterAll {
    if ($script:emu) { Stop-TestEmulator $script:emu }
}

Describe 'Argo CD cluster registration' -Skip:$script:noCrds {
    It 'registers both workload clusters with their region, then reports Unchanged' {
        $Error.Clear()
        $first = @(Register-FleetArgoCluster *>&1)
        $registered = @($first | Where-Object { $_ -is [MultiCluster.FleetArgoCluster] })
        $registered | Should -HaveCount 2
        ($registered | Sort-Object Cluster).Cluster | Should -Be @('prod-euc1', 'prod-use1')
        $registered | ForEach-Object { $_.Action | Should -Be 'Created' }
        ($registered | Where-Object Cluster -eq 'prod-euc1').Labels['multicluster.io/region'] | Should -Be 'eu-central-1'

        $again = @(Get-FleetCluster -Selector env=prod | Register-FleetArgoCluster)
        $again | Should -HaveCount 2
        $again | ForEach-Object { $_.Action | Should -Be 'Unchanged' }
        Assert-NoSecretCanary -Output ($first + $again)
    }

    It 'shows the registrations in 80 columns with the action visible' {
        $table = Register-FleetArgoCluster -WhatIf | Format-Table | Out-String -Width 80
        $table | Should -Match 'Action'
        $table | Should -Match 'Unchanged'
        ($table -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
    }

    It 'refuses to unregister a cluster an Application deploys to, then removes it with -Force' {
        $server = (Register-FleetArgoCluster -Cluster prod-euc1).Server
        @{ apiVersion = 'argoproj.io/v1alpha1'; kind = 'Application'; metadata = @{ name = 'shop-euc1'; namespace = 'argocd' }
           spec = @{ project = 'default'; source = @{ repoURL = 'https://git.example.com/shop.git'; path = 'overlays/eu-central-1'; targetRevision = 'main' }
                     destination = @{ server = $server; namespace = 'shop' } } } | Invoke-FleetApply -Cluster hub | Out-Null

        { Unregister-FleetArgoCluster -Cluster prod-euc1 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ArgoClusterInUse*' -ExpectedMessage "Applications still deploy to cluster 'prod-euc1': shop-euc1 (argocd on hub). Nothing was changed."
        (Register-FleetArgoCluster -Cluster prod-euc1 -WhatIf).Action | Should -Be 'Unchanged'

        $removed = @(Unregister-FleetArgoCluster -Cluster prod-euc1 -Force)
        $removed | Should -HaveCount 1
        $removed[0].Action | Should -Be 'Deleted'
        (Register-FleetArgoCluster -Cluster prod-euc1 -WhatIf).Action | Should -Be 'WouldCreate'
    }
}

Describe 'Argo CD ApplicationSets' -Skip:$script:noCrds {
    It 'applies an ApplicationSet with per-cluster replicas in waves, then reports Unchanged' {
        $set = @{
            Name                 = 'web'
            RepoUrl              = 'https://git.example.com/web.git'
            Path                 = 'overlays/{{region}}'
            DestinationNamespace = 'web'
            Parameter            = @{ replicas = @{ 'prod-use1' = 10; 'prod-euc1' = 6 } }
            HelmParameter        = @{ replicaCount = '{{replicas}}' }
            Wave                 = 'prod-euc1', '*'
            AutoSync             = $true
            CreateNamespace      = $true
        }
        $first = @(New-FleetApplicationSet @set)
        $first | Should -HaveCount 1
        $first[0].Action | Should -Be 'Created'
        $first[0].Namespace | Should -Be 'argocd'
        (New-FleetApplicationSet @set).Action | Should -Be 'Unchanged'

        $rendered = New-FleetApplicationSet @set -OutputPath (Join-Path $script:emu.Directory 'argocd')
        $rendered.Yaml | Should -Match 'replicas: "10"'
        $rendered.Yaml | Should -Match 'type: RollingSync'
        Test-Path $rendered.Path | Should -BeTrue
    }

    It 'refuses a template parameter that a cluster lacks, before writing anything' {
        $folder = Join-Path $script:emu.Directory 'refused'
        { New-FleetApplicationSet web -RepoUrl https://git.example.com/web.git -Path 'overlays/{{replicas}}' -DestinationNamespace web `
            -Parameter @{ replicas = @{ 'prod-use1' = 10 } } -OutputPath $folder -ErrorAction Stop } |
            Should -Throw -ErrorId 'TemplateParameterUndefined*' -ExpectedMessage "The template 'overlays/{{replicas}}' uses parameter 'replicas', but the element of prod-euc1 does not define it. Nothing was changed."
        Test-Path $folder | Should -BeFalse
    }

    It 'lists no Applications while Argo CD has generated none' {
        @(Get-FleetApplication web -ErrorAction Stop) | Should -HaveCount 0
    }
}

Describe 'Route 53 record sets' -Skip:$script:noCrds {
    It 'refuses two clusters claiming one location before Route 53 is asked' {
        { Set-FleetDnsRecord shop.example.com -ZoneName example.com -Policy Geolocation -Cluster prod-use1, prod-euc1 `
            -Endpoint @{ 'prod-use1' = '192.0.2.10'; 'prod-euc1' = '192.0.2.20' } -Location @{ 'prod-use1' = 'EU'; 'prod-euc1' = 'eu' } `
            -Route53Endpoint https://127.0.0.1:9 -ErrorAction Stop } |
            Should -Throw -ErrorId 'DnsLocationDuplicate*' -ExpectedMessage "Clusters 'prod-use1' and 'prod-euc1' both claim location 'eu'; Route 53 allows one record set per location. Nothing was changed."
    }
}
