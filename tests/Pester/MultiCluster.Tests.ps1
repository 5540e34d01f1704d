#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# User scenarios against emulated clusters, as an administrator would type them.
# Run by build.ps1 -Test (after dotnet build) where pwsh and Pester 5 exist.

BeforeAll {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    Import-Module (Join-Path $root 'out/MultiCluster/MultiCluster.psd1') -Force

    # Three emulated clusters in a child process; it stops when its standard input closes.
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) ("mc-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $script:work | Out-Null
    $script:kubeconfig = Join-Path $script:work 'kubeconfig'
    $emulatorDll = Get-ChildItem (Join-Path $root 'tests/MultiCluster.Emulator/bin') -Recurse -Filter 'MultiCluster.Emulator.dll' |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($emulatorDll.FullName, '--clusters', '3', '--kubeconfig', $script:kubeconfig, '--name-prefix', 'pester', '--controllers', 'all')) {
        $info.ArgumentList.Add($a)
    }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $script:emulator = [System.Diagnostics.Process]::Start($info)
    $script:contexts = @()
    while (($line = $script:emulator.StandardOutput.ReadLine()) -ne $null -and $line.Trim() -ne 'READY') {
        if ($line.Trim()) { $script:contexts += ($line.Trim() -split '\s+')[0] }
    }

    $fleetYaml = @"
name: pester
clusters:
  - name: $($script:contexts[0])
    region: us-east-1
    role: management
    labels: { env: prod, tier: gold }
  - name: $($script:contexts[1])
    region: eu-central-1
    labels: { env: prod, tier: silver }
  - name: $($script:contexts[2])
    region: eu-central-1
    labels: { env: dev }
"@
    Import-Fleet -Content $fleetYaml -Kubeconfig $script:kubeconfig
}

AfterAll {
    if ($script:emulator -and -not $script:emulator.HasExited) {
        $script:emulator.StandardInput.Close()
        if (-not $script:emulator.WaitForExit(10000)) { $script:emulator.Kill($true) }
    }
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Inventory' {
    It 'selects clusters by label, region and wildcard' {
        (Get-FleetCluster -Selector 'env=prod').Count | Should -Be 2
        (Get-FleetCluster -Region eu-central-1).Count | Should -Be 2
        (Get-FleetCluster -Name 'pester*').Count | Should -Be 3
        (Get-FleetCluster -Selector 'tier in (gold)').Name | Should -Be $script:contexts[0]
    }

    It 'reports an unknown cluster name with the closest names' {
        $name = $script:contexts[0] + 'x'
        Get-FleetCluster -Name $name -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ClusterNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -BeLike "*$($script:contexts[0])*"
    }

    It 'stops on a fleet file that does not parse, naming line and column' {
        { Import-Fleet -Content "clusters:`n  - name: [broken" -ErrorAction Stop } | Should -Throw -ErrorId 'FleetFileInvalid*'
    }
}

Describe 'Health' {
    It 'checks every cluster in parallel and pipes from Get-FleetCluster' {
        $health = Get-FleetCluster | Test-FleetCluster
        $health.Count | Should -Be 3
        $health | ForEach-Object { $_.Status | Should -Be 'Healthy' }
        $health | ForEach-Object { $_.ServerVersion | Should -Match '^v1\.' }
    }
}

Describe 'Apply' {
    BeforeAll {
        $script:manifest = Join-Path $script:work 'app.yaml'
        Set-Content -Path $script:manifest -Value @'
apiVersion: v1
kind: Namespace
metadata:
  name: pester-app
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: pester-app
data:
  color: blue
'@
    }

    It 'previews with -WhatIf without changing anything' {
        $preview = Invoke-FleetApply -Path $script:manifest -Selector 'env=prod' -WhatIf
        $preview.Count | Should -Be 4
        $preview | ForEach-Object { $_.Action | Should -Be 'WouldCreate' }
        Get-FleetResource -Kind Namespace -Name pester-app -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'applies, then reports Unchanged on the second run' {
        $first = Invoke-FleetApply -Path $script:manifest -Selector 'env=prod'
        $first | ForEach-Object { $_.Action | Should -Be 'Created' }
        $second = Invoke-FleetApply -Path $script:manifest -Selector 'env=prod'
        $second | ForEach-Object { $_.Action | Should -Be 'Unchanged' }
    }

    It 'shows the fields a change would make' {
        $changed = @{
            apiVersion = 'v1'; kind = 'ConfigMap'
            metadata   = @{ name = 'settings'; namespace = 'pester-app' }
            data       = @{ color = 'green' }
        }
        $preview = $changed | Invoke-FleetApply -Selector 'env=prod' -WhatIf
        $preview | ForEach-Object { $_.Action | Should -Be 'WouldChange' }
        $preview[0].Changes.Path | Should -Contain 'data.color'
    }

    It 'refuses to delete from several clusters without -Force' {
        { Remove-FleetResource -Kind ConfigMap -Name settings -Namespace pester-app -Selector 'env=prod' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeletionLimitExceeded*'
        $removed = Remove-FleetResource -Kind ConfigMap -Name settings -Namespace pester-app -Selector 'env=prod' -Force -Confirm:$false
        $removed | ForEach-Object { $_.Action | Should -Be 'Deleted' }
    }
}

Describe 'Upgrade policy' {
    BeforeAll {
        # The fleet's cluster names come from the emulator; the waves select them by their position.
        $script:policy = Join-Path $script:work 'upgrade-policy.yaml'
        Set-Content -Path $script:policy -Value @"
waves:
  - name: first
    clusters: [$($script:contexts[1])]
    postChecks: [clusterHealth, smoke]
  - name: second
    clusters: [$($script:contexts[2])]
    approval: manual
"@
        $script:empty = Join-Path $script:work 'empty-policy.yaml'
        Set-Content -Path $script:empty -Value "waves: [{ name: canary, clusters: [canary-*] }]"
    }

    It 'plans the waves in policy order' {
        $plan = Get-FleetUpgradePlan -Policy $script:policy -KubernetesVersion v1.33.0
        $plan.Name | Should -Be @('first', 'second')
        $plan[0].Clusters | Should -Be @($script:contexts[1])
        $plan[1].Approval | Should -Be 'Manual'
    }

    It 'previews the whole plan with -WhatIf and writes no checkpoint' {
        $preview = Start-FleetUpgrade -Policy $script:policy -KubernetesVersion v1.33.0 -Check @{ smoke = { $true } } -WhatIf
        $preview.Name | Should -Be @('first', 'second')
        Get-FleetUpgradeStatus -RolloutId v1-33-0 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UpgradeRolloutNotFound*'
    }

    It 'checkpoints a rollout that Get-FleetUpgradeStatus reads back' {
        $status = Start-FleetUpgrade -Policy $script:empty -KubernetesVersion v1.33.0 -RolloutId pester-canary -Confirm:$false
        $status.State | Should -Be 'Succeeded'
        (Get-FleetUpgradeStatus pester-canary).Progress | Should -Be '1/1'
        { Start-FleetUpgrade -Policy $script:empty -KubernetesVersion v1.33.0 -RolloutId pester-canary -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'UpgradeRolloutExists*'
    }

    It 'stops on a malformed schedule, naming the file and the field' {
        $bad = Join-Path $script:work 'bad-policy.yaml'
        Set-Content -Path $bad -Value "waves: [{ name: dev, clusters: [dev-*], schedule: 'every night' }]"
        { Get-FleetUpgradePlan -Policy $bad -KubernetesVersion v1.33.0 -ErrorAction Stop } | Should -Throw -ErrorId 'UpgradePolicyInvalid*'
        try { Get-FleetUpgradePlan -Policy $bad -KubernetesVersion v1.33.0 -ErrorAction Stop } catch { $_.Exception.Message | Should -BeLike "*$bad*schedule 'every night'*" }
    }

    It 'refuses a version that is not v1.x.y before touching a cluster' {
        { Update-FleetCluster -Name $script:contexts[2] -KubernetesVersion 1.33 -ErrorAction Stop } | Should -Throw -ErrorId 'KubernetesVersionInvalid*'
    }
}
