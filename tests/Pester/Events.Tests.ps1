#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Fleet events against three emulated clusters running the simulated deployment controller (whose
# kubelet cannot pull images from registry hosts under .invalid).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    $script:modulePath = Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1'
    Import-Module $script:modulePath -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    $script:emu = Start-TestEmulator -Clusters 3 -NamePrefix events -Controllers deployments
    $script:fleetYaml = @"
name: events
clusters:
  - name: use1
    context: $($script:emu.Contexts[0])
    region: us-east-1
  - name: euc1
    context: $($script:emu.Contexts[1])
    region: eu-central-1
  - name: usw2
    context: $($script:emu.Contexts[2])
    region: us-west-2
"@
    Import-Fleet -Content $script:fleetYaml -Kubeconfig $script:emu.Kubeconfig

    # Stops one emulated cluster's API server for a while; it listens again on the same port afterwards.
    function Stop-EmulatedCluster([int] $Index, [int] $Seconds) {
        $context = $script:emu.Contexts[$Index]
        $token = [regex]::Match((Get-Content -Raw $script:emu.Kubeconfig), "(?m)^- name: `"?$([regex]::Escape($context))-admin`"?\s+user:\s+token:\s*(\S+)").Groups[1].Value
        Invoke-RestMethod -Method Post -Uri "$($script:emu.Servers[$context].TrimEnd('/'))/_emulator/faults" -SkipCertificateCheck `
            -Headers @{ Authorization = "Bearer $token" } -ContentType 'application/json' `
            -Body (@{ stopped = $true; stoppedForSeconds = $Seconds } | ConvertTo-Json) | Out-Null
    }

    function New-UnpullableDeployment([string] $Name, [string] $Cluster) {
        @{ apiVersion = 'apps/v1'; kind = 'Deployment'; metadata = @{ name = $Name; namespace = 'default' }
           spec = @{ selector = @{ matchLabels = @{ app = $Name } }
                     template = @{ metadata = @{ labels = @{ app = $Name } }
                                   spec = @{ containers = @(@{ name = 'app'; image = 'registry.invalid/shop/app:1' }) } } } } |
            Invoke-FleetApply -Cluster $Cluster | Out-Null
    }
}

AfterAll {
    Stop-TestEmulator $script:emu
}

Describe 'Get-FleetEvent' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'shows an image that cannot be pulled on one cluster as one Warning event from that cluster' {
        New-UnpullableDeployment -Name 'checkout' -Cluster 'euc1'
        $deadline = (Get-Date).AddSeconds(20)
        do {
            $warnings = @(Get-FleetEvent)
            if ($warnings.Count -ge 1) { break }
            Start-Sleep -Milliseconds 200
        } while ((Get-Date) -lt $deadline)

        $warnings | Should -HaveCount 1
        $warnings[0].Cluster | Should -Be 'euc1'
        $warnings[0].Type | Should -Be 'Warning'
        $warnings[0].Reason | Should -Be 'Failed'
        $warnings[0].Object | Should -BeLike 'Pod/checkout-*'
        $warnings[0].Message | Should -BeLike 'Failed to pull image "registry.invalid/shop/app:1": *'
        $warnings[0].Source | Should -Be 'kubelet'
        @(Get-FleetEvent -Cluster use1, usw2 -Type All -ErrorAction Stop) | Should -HaveCount 0
        @(Get-FleetEvent -Type All -InvolvedObject $warnings[0].Object) | Should -HaveCount 3
    }

    It 'refuses a malformed -InvolvedObject before any request' {
        { Get-FleetEvent -InvolvedObject 'Pod/' -ErrorAction Stop } | Should -Throw -ErrorId 'InvolvedObjectInvalid,MultiCluster.Commands.Observability.GetFleetEventCommand'
    }

    It '-Watch shows an event created after it started and carries on when a cluster is stopped and started again' {
        $job = Start-ThreadJob -ArgumentList $script:modulePath, $script:fleetYaml, $script:emu.Kubeconfig -ScriptBlock {
            param($module, $fleet, $kubeconfig)
            Import-Module $module
            Import-Fleet -Content $fleet -Kubeconfig $kubeconfig
            Get-FleetEvent -Watch -TimeoutSeconds 30 -WarningVariable dropped -WarningAction SilentlyContinue
            $dropped | ForEach-Object { "WARNING: $_" }
        }
        Start-Sleep -Seconds 6                                       # the job has imported the module and is watching
        New-UnpullableDeployment -Name 'cart' -Cluster 'use1'
        Start-Sleep -Seconds 2
        Stop-EmulatedCluster -Index 2 -Seconds 5
        Start-Sleep -Seconds 8                                       # back on the same port by now
        New-UnpullableDeployment -Name 'payments' -Cluster 'usw2'
        $output = @($job | Wait-Job -Timeout 60 | Receive-Job)
        $job | Remove-Job -Force

        $events = @($output | Where-Object { $_ -is [MultiCluster.FleetEvent] })
        $warningLines = @($output | Where-Object { $_ -is [string] })
        $events | Should -HaveCount 3 -Because 'checkout (listed at the start), cart and payments, one Failed warning each'
        ($events | Where-Object Object -like 'Pod/checkout-*').Cluster | Should -Be 'euc1'
        ($events | Where-Object Object -like 'Pod/cart-*').Cluster | Should -Be 'use1'
        ($events | Where-Object Object -like 'Pod/payments-*').Cluster | Should -Be 'usw2'
        $warningLines | Should -HaveCount 2
        $warningLines[0] | Should -BeLike "WARNING: Cluster 'usw2' dropped out of the event watch: *"
        $warningLines[1] | Should -BeLike "WARNING: Cluster 'usw2' answers again; *"
    }
}
