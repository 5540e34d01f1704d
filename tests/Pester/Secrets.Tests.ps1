#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Secret sync on three emulated clusters: a SecureString synced everywhere, changed by hand on one
# cluster (Stale there only), healed by the next sync; the value, a canary token, is found in no
# stream, in $Error or in a file.

BeforeDiscovery {
    $script:noKubectl = -not (Get-Command kubectl -ErrorAction SilentlyContinue)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')

    $script:emu = Start-TestEmulator -Clusters 3 -NamePrefix pestersecret -Controllers ''
    $script:kubeconfig = $script:emu.Kubeconfig
    $script:contexts = $script:emu.Contexts
    $fleetYaml = @"
name: pester-secrets
clusters:
  - name: east
    context: $($script:contexts[0])
    region: us-east-1
    labels: { env: prod }
  - name: west
    context: $($script:contexts[1])
    region: us-west-2
    labels: { env: prod }
  - name: lab
    context: $($script:contexts[2])
    region: us-west-2
    labels: { env: dev }
"@
    Import-Fleet -Content $fleetYaml -Kubeconfig $script:kubeconfig
    @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'app' } } | Invoke-FleetApply | Out-Null

    # The value is a canary: wherever it escapes to, Assert-NoSecretCanary finds it.
    $script:canarySince = [datetime]::UtcNow
    $script:password = ConvertTo-SecureString ($script:SecretCanaryMarker + [guid]::NewGuid().ToString('N')) -AsPlainText -Force
    $global:Error.Clear()
}

AfterAll {
    Stop-TestEmulator $script:emu
}

Describe 'Sync-FleetSecret and Test-FleetSecret' -Skip:$script:noKubectl {
    It 'syncs a SecureString to three clusters' {
        $output = Sync-FleetSecret -Name db -Namespace app -Key password -Value $script:password -Verbose -Debug *>&1
        $results = @($output | Where-Object { $_ -is [MultiCluster.FleetSecretSyncResult] })

        $results | Should -HaveCount 3
        $results.Action | Should -Be @('Created', 'Created', 'Created')
        ($results.Cluster | Sort-Object) | Should -Be @('east', 'lab', 'west')
        $results | ForEach-Object { $_.Keys | Should -Be @('password') }
        Assert-NoSecretCanary -Output $output
    }

    It 'shows a value changed by hand on one cluster as Stale there only' {
        kubectl --kubeconfig $script:kubeconfig --context $script:contexts[1] -n app patch secret db --type merge -p '{"stringData":{"password":"changed-by-hand"}}' | Out-Null
        $LASTEXITCODE | Should -Be 0

        $output = Test-FleetSecret -Name db -Namespace app -Key password -Value $script:password *>&1
        $status = @($output | Where-Object { $_ -is [MultiCluster.FleetSecretStatus] })

        $status | Should -HaveCount 3
        @($status | Where-Object Status -eq Stale) | Should -HaveCount 1
        ($status | Where-Object Status -eq Stale).Cluster | Should -Be 'west'
        ($status | Where-Object Cluster -ne west).Status | Should -Be @('InSync', 'InSync')
        ($status | Where-Object Cluster -eq west).AnnotatedHash | Should -Be ($status | Where-Object Cluster -eq east).SourceHash
        Assert-NoSecretCanary -Output $output
    }

    It 'heals it on the next sync: that cluster Configured, the others Unchanged' {
        $output = Sync-FleetSecret -Name db -Namespace app -Key password -Value $script:password *>&1
        $results = @($output | Where-Object { $_ -is [MultiCluster.FleetSecretSyncResult] })

        $results | Should -HaveCount 3
        ($results | Where-Object Cluster -eq west).Action | Should -Be 'Configured'
        ($results | Where-Object Cluster -ne west).Action | Should -Be @('Unchanged', 'Unchanged')
        $status = @(Test-FleetSecret -Name db -Namespace app -Key password -Value $script:password)
        $status | Should -HaveCount 3
        @($status | Where-Object Status -ne InSync) | Should -HaveCount 0
        Assert-NoSecretCanary -Output $output
    }

    It 'refuses plain text with a hint, echoing no value' {
        $plain = $script:SecretCanaryMarker + 'plain'
        $refused = { Sync-FleetSecret -Name db -Namespace app -Data @{ password = $plain } } |
            Should -Throw -ErrorId 'SecretValueNotSecure,MultiCluster.Commands.Configuration.SyncFleetSecretCommand' -PassThru
        $refused.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $refused.TargetObject | Should -Be "-Data key 'password'"
        $refused.ErrorDetails.RecommendedAction | Should -BeLike '*ConvertTo-SecureString -AsPlainText -Force*'
        $global:Error.Add($refused)
        Assert-NoSecretCanary -Output $refused
    }

    It 'leaves the value in no file it writes and no stream of a -WhatIf run' {
        $output = Sync-FleetSecret -Name db2 -Namespace app -Value $script:password -WhatIf *>&1
        @($output | Where-Object { $_ -is [MultiCluster.FleetSecretSyncResult] }).Action | Should -Be @('WouldCreate', 'WouldCreate', 'WouldCreate')
        Assert-NoSecretCanary -Output $output -Path $script:emu.Directory -Since $script:canarySince
    }
}
