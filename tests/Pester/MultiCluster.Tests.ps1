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

BeforeDiscovery {
    # The Cluster API CRDs live in ../shared/crds beside the repository (or $env:MULTICLUSTER_SHARED/crds).
    $script:sharedCrds = @(
        if ($env:MULTICLUSTER_SHARED) { Join-Path $env:MULTICLUSTER_SHARED 'crds' }
        $dir = Get-Item $PSScriptRoot
        while ($dir) { Join-Path $dir.FullName 'shared/crds'; $dir = $dir.Parent }
    ) | Where-Object { Test-Path (Join-Path $_ 'README.md') } | Select-Object -First 1
}

# Runs last: it makes its own management cluster the session's fleet.
Describe 'Cluster lifecycle' -Skip:(-not $script:sharedCrds) {
    BeforeAll {
        $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
        $script:capiKubeconfig = Join-Path $script:work 'capi-kubeconfig'
        $emulatorDll = Get-ChildItem (Join-Path $root 'tests/MultiCluster.Emulator/bin') -Recurse -Filter 'MultiCluster.Emulator.dll' |
            Sort-Object LastWriteTime -Descending | Select-Object -First 1
        $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        $crds = 'cluster-api,cluster-api-docker,cluster-api-provider-aws,cluster-api-provider-azure'
        foreach ($a in @($emulatorDll.FullName, '--clusters', '1', '--kubeconfig', $script:capiKubeconfig, '--name-prefix', 'pcapi', '--crds', $crds, '--controllers', 'all')) {
            $info.ArgumentList.Add($a)
        }
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        $script:capi = [System.Diagnostics.Process]::Start($info)
        $management = $null
        while (($line = $script:capi.StandardOutput.ReadLine()) -ne $null -and $line.Trim() -ne 'READY') {
            if ($line.Trim()) { $management = ($line.Trim() -split '\s+')[0] }
        }
        Import-Fleet -Content "name: capi`nclusters:`n  - name: mgmt`n    context: $management`n    role: management`n" -Kubeconfig $script:capiKubeconfig
        $script:merged = Join-Path $script:work 'workload.kubeconfig'
    }

    AfterAll {
        if ($script:capi -and -not $script:capi.HasExited) {
            $script:capi.StandardInput.Close()
            if (-not $script:capi.WaitForExit(10000)) { $script:capi.Kill($true) }
        }
    }

    It 'creates, waits for, connects to and checks a new cluster' {
        $health = New-FleetCluster pester-dev-01 -Provider Docker -KubernetesVersion v1.32.3 -WorkerReplicas 2 |
            Wait-FleetCluster -PollIntervalSeconds 1 -TimeoutSeconds 120 |
            Get-FleetClusterCredential -Merge -KubeconfigPath $script:merged |
            Test-FleetCluster
        $health.Status | Should -Be 'Healthy'
        $health.ServerVersion | Should -Be 'v1.32.3'
        $health.NodeCount | Should -Be 3
        if (-not $IsWindows) { (Get-Item $script:merged).UnixFileMode.ToString() | Should -Be 'UserRead, UserWrite' }
    }

    It 'never shows the kubeconfig content' {
        $text = Get-FleetClusterCredential pester-dev-01 | Format-List * | Out-String
        $token = (Select-String -Path $script:merged -Pattern 'token:\s*"?([^"\s]+)').Matches[0].Groups[1].Value
        $text | Should -Not -Match ([regex]::Escape($token))
        $text | Should -Match 'pester-dev-01-admin@pester-dev-01'
    }

    It 'scales the workers' {
        $health = Resize-FleetCluster pester-dev-01 -WorkerReplicas 4 -Confirm:$false |
            Wait-FleetCluster -PollIntervalSeconds 1 -TimeoutSeconds 120 |
            Test-FleetCluster
        $health.NodeCount | Should -Be 5
    }

    It 'stops on bad input before anything is created' {
        { New-FleetCluster Bad_Name -Provider Docker -KubernetesVersion v1.32.3 -ErrorAction Stop } | Should -Throw -ErrorId 'ClusterNameInvalid*'
        { New-FleetCluster even-cp -Provider Docker -KubernetesVersion v1.32.3 -ControlPlaneReplicas 2 -ErrorAction Stop } | Should -Throw -ErrorId 'ControlPlaneReplicasInvalid*'
        { New-FleetCluster overlap -Provider Docker -KubernetesVersion v1.32.3 -PodCidr 10.96.0.0/16 -ErrorAction Stop } | Should -Throw -ErrorId 'CidrOverlap*'
        { New-FleetCluster vsphere-01 -Provider vSphere -KubernetesVersion v1.32.3 -ErrorAction Stop } | Should -Throw -ErrorId 'ProviderUnknown*'
    }

    It 'removes the cluster and takes it out of the fleet' {
        $removed = Remove-FleetCluster pester-dev-01 -Wait -TimeoutSeconds 60 -Confirm:$false
        $removed.Action | Should -Be 'Deleted'
        Get-FleetCluster pester-dev-01 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
