#Requires -Version 7.4
# Every cmdlet's main scenario as an administrator types it, with the rest of PowerShell around it:
# Select-Object, Format-Table, Export-Csv, ConvertTo-Json, Group-Object.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    $root = Get-TestRepositoryRoot
    Import-Module (Join-Path $root 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    $script:emu = Start-TestEmulator -Clusters 3 -NamePrefix pipes
    $script:work = $script:emu.Directory
    $script:names = 'prod-use1-01', 'prod-euc1-01', 'dev-euc1-01'
    $contexts = $script:emu.Contexts
    Import-Fleet -Kubeconfig $script:emu.Kubeconfig -Content @"
name: pipes
clusters:
  - { name: prod-use1-01, context: $($contexts[0]), region: us-east-1, role: management, labels: { env: prod }, drPeer: prod-euc1-01 }
  - { name: prod-euc1-01, context: $($contexts[1]), region: eu-central-1, labels: { env: prod } }
  - { name: dev-euc1-01, context: $($contexts[2]), region: eu-central-1, labels: { env: dev } }
"@
}

AfterAll {
    Stop-TestEmulator $script:emu
}

Describe 'Inventory pipelines' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'Get-Fleet | Select-Object shows the fleet' {
        $fleet = @(Get-Fleet | Select-Object Name, ClusterCount)
        $fleet | Should -HaveCount 1
        $fleet[0].Name | Should -Be 'pipes'
        $fleet[0].ClusterCount | Should -Be 3
    }

    It 'Get-FleetCluster | Format-Table fits an 80-column console with every cluster' {
        $lines = @((Get-FleetCluster | Format-Table | Out-String -Width 80) -split "`n" | Where-Object { $_.Trim() })
        $lines | Should -HaveCount 5
        $lines[0] | Should -Match '^Name\s+Phase\s+Region\s+Role'
        ($lines[2..4] | ForEach-Object { ($_ -split '\s+')[0] }) | Should -Be $script:names
    }

    It 'Test-FleetCluster | Export-Csv writes one row per cluster' {
        $csv = Join-Path $script:work 'health.csv'
        Get-FleetCluster | Test-FleetCluster | Export-Csv -Path $csv
        $rows = @(Import-Csv $csv)
        $rows | Should -HaveCount 3
        $rows.Cluster | Sort-Object | Should -Be ($script:names | Sort-Object)
        $rows | ForEach-Object { $_.Status | Should -Be 'Healthy' }
    }

    It 'Get-Fleet | Test-FleetArchitecture | Select-Object finds the production cluster without a DR peer' {
        $findings = @(Get-Fleet | Test-FleetArchitecture | Select-Object Severity, RuleId, Target)
        $findings | Should -HaveCount 1
        "$($findings[0].Severity) $($findings[0].RuleId) $($findings[0].Target)" | Should -Be 'Warning DrPeerMissing prod-euc1-01'
    }
}

Describe 'Resource pipelines' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'Invoke-FleetApply | ConvertTo-Json reports one result per cluster' {
        $yaml = "apiVersion: v1`nkind: ConfigMap`nmetadata: { name: pipes-settings, namespace: default }`ndata: { color: blue }"
        $results = @($yaml | Invoke-FleetApply | ConvertTo-Json -Depth 3 -EnumsAsStrings | ConvertFrom-Json)
        $results | Should -HaveCount 3
        $results.Cluster | Sort-Object | Should -Be ($script:names | Sort-Object)
        $results | ForEach-Object { $_.Action | Should -Be 'Created' }
        $again = @($yaml | Invoke-FleetApply)
        $again | Should -HaveCount 3
        $again | ForEach-Object { $_.Action | Should -Be 'Unchanged' }
    }

    It 'Invoke-FleetApply -WhatIf | Format-Table shows the Action column at 80 columns' {
        $text = @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'pipes-settings'; namespace = 'default' }; data = @{ color = 'green' } } |
            Invoke-FleetApply -Selector 'env=prod' -WhatIf | Format-Table | Out-String -Width 80
        $lines = @($text -split "`n" | Where-Object { $_.Trim() })
        $lines | Should -HaveCount 4
        $lines[0] | Should -Match '\bAction\b'
        $lines[1] | Should -Match '^[\s-]+$' -Because 'the header takes one line'
        $lines[2..3] | ForEach-Object { $_ | Should -Match '\bWouldChange\b' }
    }

    It 'Get-FleetResource | Select-Object | Sort-Object lists the object on every cluster' {
        $found = @(Get-FleetResource ConfigMap -Name pipes-settings -Namespace default | Select-Object Cluster, Name | Sort-Object Cluster)
        $found | Should -HaveCount 3
        $found.Cluster | Should -Be ($script:names | Sort-Object)
        $found.Name | Should -Be @('pipes-settings', 'pipes-settings', 'pipes-settings')
    }

    It 'Remove-FleetResource -MaxClusters 3 -Force | Group-Object Action deletes it everywhere' {
        $groups = @(Remove-FleetResource ConfigMap -Name pipes-settings -Namespace default -MaxClusters 3 -Force | Group-Object Action)
        $groups | Should -HaveCount 1
        $groups[0].Name | Should -Be 'Deleted'
        $groups[0].Count | Should -Be 3
        Get-FleetResource ConfigMap -Name pipes-settings -Namespace default -ErrorVariable notFound -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $notFound | Should -HaveCount 3
        $notFound | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*' }
    }
}

Describe 'Workload pipelines' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    BeforeAll {
        $script:demo = @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'pipes-demo'; namespace = 'default' }; data = @{ color = 'blue' } }
    }

    It 'Publish-FleetWorkload then Compare-FleetWorkload | Export-Csv records a hand edit' {
        $published = @($script:demo | Publish-FleetWorkload -Selector 'env=prod')
        $published | Should -HaveCount 2
        $published | ForEach-Object { $_.Action | Should -Be 'Created' }
        @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'pipes-demo'; namespace = 'default' }; data = @{ color = 'red' } } |
            Invoke-FleetApply -Cluster prod-euc1-01 -ForceConflicts | Out-Null

        $csv = Join-Path $script:work 'drift.csv'
        $script:demo | Compare-FleetWorkload -Selector 'env=prod' | Export-Csv -Path $csv
        $drift = @(Import-Csv $csv | Where-Object Path -eq 'data.color')
        $drift | Should -HaveCount 1
        $drift[0].Cluster | Should -Be 'prod-euc1-01'
        $drift[0].DriftType | Should -Be 'Changed'
        $drift[0].Expected | Should -Be 'blue'
        $drift[0].Actual | Should -Be 'red'
    }

    It 'Get-FleetWorkload | Format-Table shows Ready for every placed cluster' {
        $status = @(Get-FleetWorkload pipes-demo -Kind ConfigMap -Namespace default)
        $status | Should -HaveCount 3
        ($status | Where-Object Present).Cluster | Sort-Object | Should -Be @('prod-euc1-01', 'prod-use1-01')
        $table = $status | Format-Table | Out-String -Width 80
        $table | Should -Match '\bReady\b'
    }

    It 'Publish-FleetWorkload heals the drift; Remove-FleetWorkload -Force | Select-Object removes it from both production clusters' {
        $healed = @($script:demo | Publish-FleetWorkload -Selector 'env=prod' | Select-Object Cluster, Action | Sort-Object Cluster)
        $healed | Should -HaveCount 2
        "$($healed.Action)" | Should -Be 'Configured Unchanged'
        $script:demo | Compare-FleetWorkload -Selector 'env=prod' -ErrorAction Stop | Should -BeNullOrEmpty
        $removed = @(Remove-FleetWorkload pipes-demo ConfigMap -Namespace default -MaxClusters 2 -Force | Select-Object Cluster, Action)
        $removed | Should -HaveCount 2
        $removed.Cluster | Sort-Object | Should -Be @('prod-euc1-01', 'prod-use1-01')
        $removed | ForEach-Object { $_.Action | Should -Be 'Deleted' }
    }
}

Describe 'Access and upgrade pipelines' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'Set-FleetRbac then Get-FleetRbac | ConvertTo-Json lists the grant on every cluster' {
        $set = @(Set-FleetRbac -Name pipes-readers -Group pipes-ops -Rule @{ apiGroups = ''; resources = 'pods'; verbs = 'get', 'list' })
        $set | Should -HaveCount 6
        $grants = @(Get-FleetRbac pipes-readers | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json)
        $grants | Should -HaveCount 3
        $grants | ForEach-Object { $_.SubjectText | Should -Be 'Group:pipes-ops' }
        Test-FleetRbac -Name pipes-readers -Group pipes-ops -Rule @{ apiGroups = ''; resources = 'pods'; verbs = 'get', 'list' } -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'New-FleetOidcConfig | Where-Object Cluster | Select-Object renders each cluster' {
        $ldap = @{ Type = 'ldap'; Host = 'ldap.example.com:636'; BindDN = 'cn=dex'; BindPasswordEnv = 'LDAP_PASSWORD'; UserBaseDN = 'ou=people' }
        $clusters = @(New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector $ldap | Where-Object Cluster | Select-Object Cluster, Method)
        $clusters | Should -HaveCount 3
        $clusters | ForEach-Object { $_.Method | Should -Be 'AuthenticationConfiguration' }
    }

    It 'Get-FleetUpgradePlan | ConvertTo-Json writes the waves' {
        $policy = Join-Path $script:work 'policy.yaml'
        Set-Content $policy "waves:`n  - { name: dev, clusters: [dev-*] }`n  - { name: prod, clusters: [prod-*], approval: manual }"
        $waves = @(Get-FleetUpgradePlan -Policy $policy -KubernetesVersion v1.33.0 | ConvertTo-Json -Depth 4 | ConvertFrom-Json)
        $waves | Should -HaveCount 2
        $waves.Name | Should -Be @('dev', 'prod')
        $waves[0].Clusters | Should -Be @('dev-euc1-01')
        @($waves[1].Clusters) | Sort-Object | Should -Be @('prod-euc1-01', 'prod-use1-01')
    }
}
