#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# No command does more than it says, and no secret escapes: scenarios against emulated clusters.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')

    # Two plain clusters, no simulated controllers.
    $script:emu = Start-TestEmulator -Clusters 2 -NamePrefix safety -Controllers ''
    $script:work = $script:emu.Directory
    $script:kubeconfig = $script:emu.Kubeconfig
    $script:contexts = $script:emu.Contexts
    Import-Fleet -Content "clusters:`n  - name: a`n    context: $($script:contexts[0])`n  - name: b`n    context: $($script:contexts[1])`n" -Kubeconfig $script:kubeconfig
}

AfterAll {
    Stop-TestEmulator $script:emu
}

Describe 'Safety' {
    BeforeEach { $script:since = [datetime]::UtcNow; $global:Error.Clear() }

    It 'deletes a piped object on its own cluster only' {
        $name = 'piped-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $name; namespace = 'default' } } | Invoke-FleetApply -Cluster a, b | Out-Null

        $out = Get-FleetResource ConfigMap $name -Namespace default -Cluster a | Remove-FleetResource -Confirm:$false -Verbose *>&1

        $removed = @($out | Where-Object { $_ -is [MultiCluster.FleetResourceResult] })
        $removed.Count | Should -Be 1
        $removed[0].Cluster | Should -Be 'a'
        $removed[0].Action | Should -Be 'Deleted'
        (Get-FleetResource ConfigMap $name -Namespace default -Cluster b).Cluster | Should -Be 'b'
        Assert-NoSecretCanary -Output $out -Path $script:work -Since $script:since
    }

    It '-Force silences the prompts but raises no limit' {
        $name = 'forced-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = $name; namespace = 'default' } } | Invoke-FleetApply -Cluster a, b | Out-Null

        { Remove-FleetResource ConfigMap $name -Namespace default -Force -ErrorAction Stop } | Should -Throw -ErrorId 'DeletionLimitExceeded*'
        (Get-FleetResource ConfigMap $name -Namespace default).Count | Should -Be 2
        (Remove-FleetResource ConfigMap $name -Namespace default -MaxClusters 2 -Force).Action | Should -Be @('Deleted', 'Deleted')
        Assert-NoSecretCanary -Path $script:work -Since $script:since
    }

    It 'lets no token escape on a failure path, verbose and debug included' {
        $broken = Join-Path $script:work 'broken.kubeconfig'
        (Get-Content -Raw $script:kubeconfig) -replace 'https://127\.0\.0\.1:\d+', 'https://127.0.0.1:9' | Set-Content $broken
        [System.IO.File]::SetUnixFileMode($broken, [System.IO.UnixFileMode]'UserRead, UserWrite')
        Import-Fleet -Content "clusters:`n  - name: gone`n    context: $($script:contexts[0])`n" -Kubeconfig $broken

        $out = & {
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
            Test-FleetCluster
            Get-FleetResource ConfigMap nothing -Namespace default
            @{ apiVersion = 'v1'; kind = 'Secret'; metadata = @{ name = 's'; namespace = 'default' }; stringData = @{ password = 'x' } } | Invoke-FleetApply
        } *>&1

        @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        Assert-NoSecretCanary -Output $out -Path $script:work -Since $script:since
        Import-Fleet -Content "clusters:`n  - name: a`n    context: $($script:contexts[0])`n  - name: b`n    context: $($script:contexts[1])`n" -Kubeconfig $script:kubeconfig
    }

    It 'the canary finds a token that did escape' {
        $token = (Get-Content -Raw $script:kubeconfig | Select-String 'token:\s*(\S+)').Matches[0].Groups[1].Value
        { Assert-NoSecretCanary -Output @("leaked $token") } | Should -Throw '*the output streams*'
        Write-Error "leaked $token" -ErrorAction SilentlyContinue
        { Assert-NoSecretCanary } | Should -Throw '*$Error*'
    }

    It 'the scenario check finds a token a scenario kept in a variable or left in a file others can read' {
        Start-SecretCanaryScenario
        $token = (Get-Content -Raw $script:kubeconfig | Select-String 'token:\s*(\S+)').Matches[0].Groups[1].Value
        $failure = $null
        try { Assert-SecretCanaryScenario } catch { $failure = $_ }
        "$failure" | Should -BeLike '*the output streams*'

        Remove-Variable token
        Start-SecretCanaryScenario
        $leak = Join-Path $script:work 'leak.txt'
        (Get-Content -Raw $script:kubeconfig) | Set-Content $leak
        [System.IO.File]::SetUnixFileMode($leak, [System.IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')
        $failure = $null
        try { Assert-SecretCanaryScenario -Path $script:work } catch { $failure = $_ }
        Remove-Item $leak
        "$failure" | Should -BeLike "*the file $leak (readable by others)*"
    }
}
