#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Monitoring wiring over three emulated clusters: federation and Thanos settings from the fleet, read back and
# checked, with an HttpListener in this process standing in for one cluster's Prometheus.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')

    $script:emu = Start-TestEmulator -Clusters 3 -NamePrefix pestermon -Controllers ''
    $contexts = $script:emu.Contexts
    $script:fleetYaml = @"
name: pester-monitoring
clusters:
  - name: hub
    context: $($contexts[0])
    region: us-east-1
    role: management
  - name: prod-use1
    context: $($contexts[1])
    region: us-east-1
  - name: prod-euc1
    context: $($contexts[2])
    region: eu-central-1
"@
    Import-Fleet -Content $script:fleetYaml -Kubeconfig $script:emu.Kubeconfig
    @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'monitoring' } } | Invoke-FleetApply -Cluster hub | Out-Null

    # prod-use1's Prometheus: answers /-/ready as Prometheus does. prod-euc1's address has nothing listening.
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $script:port = $probe.LocalEndpoint.Port; $probe.Stop()
    $script:listener = [System.Net.HttpListener]::new()
    $script:listener.Prefixes.Add("http://127.0.0.1:$script:port/")
    $script:listener.Start()
    $script:server = Start-ThreadJob -ArgumentList $script:listener -ScriptBlock {
        param($listener)
        while ($listener.IsListening) {
            try { $context = $listener.GetContext() } catch { break }
            $ready = $context.Request.Url.AbsolutePath -eq '/-/ready'
            $context.Response.StatusCode = if ($ready) { 200 } else { 404 }
            $body = [Text.Encoding]::UTF8.GetBytes($(if ($ready) { "Prometheus Server is Ready.`n" } else { "404 page not found`n" }))
            $context.Response.OutputStream.Write($body, 0, $body.Length)
            $context.Response.Close()
        }
    }
    $script:endpoints = @{ 'prod-use1' = "127.0.0.1:$script:port"; 'prod-euc1' = '127.0.0.1:1' }
}

AfterAll {
    if ($script:listener) { $script:listener.Close() }
    if ($script:server) { $script:server | Wait-Job -Timeout 10 | Remove-Job -Force }
    if ($script:emu) { Stop-TestEmulator $script:emu }
}

Describe 'Prometheus federation from the fleet' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'previews the federation ConfigMap on the management cluster with -WhatIf and changes nothing' {
        $preview = @(New-FleetMonitoringConfig Prometheus -Endpoint $script:endpoints -WhatIf)
        $preview | Should -HaveCount 1
        $preview[0].Cluster | Should -Be 'hub'
        $preview[0].Name | Should -Be 'multicluster-federation'
        $preview[0].Action | Should -Be 'WouldCreate'
        Get-FleetResource ConfigMap multicluster-federation -Namespace monitoring -Cluster hub -ErrorVariable notFound -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $notFound | Should -HaveCount 1
        $notFound[0].FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*'
    }

    It 'applies it, reports Unchanged the second time, and checks each cluster' {
        (New-FleetMonitoringConfig Prometheus -Endpoint $script:endpoints).Action | Should -Be 'Created'
        (New-FleetMonitoringConfig Prometheus -Endpoint $script:endpoints).Action | Should -Be 'Unchanged'

        $checks = @(Test-FleetMonitoring Prometheus -ProbeTimeoutSeconds 2)
        $checks | Should -HaveCount 6
        $failed = @($checks | Where-Object Status -ne Pass)
        $failed | Should -HaveCount 1
        $failed[0].Cluster | Should -Be 'prod-euc1'
        $failed[0].Check | Should -Be 'Endpoint'
        $failed[0].Problem | Should -Be 'Unreachable'
        $failed[0].Detail | Should -BeLike 'http://127.0.0.1:1/-/ready cannot be reached:*'
        ($checks | Where-Object { $_.Cluster -eq 'prod-use1' -and $_.Check -eq 'Endpoint' }).Status | Should -Be 'Pass'
    }

    It 'shows the checks in 80 columns with the status visible' {
        $table = Test-FleetMonitoring Prometheus -Cluster prod-use1 | Format-Table | Out-String -Width 80
        $table | Should -Match 'Status'
        $table | Should -Match 'Pass'
        ($table -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
    }

    It 'drops a cluster removed from the fleet on the next run' {
        $shrunk = $script:fleetYaml.Substring(0, $script:fleetYaml.IndexOf('  - name: prod-euc1'))
        try {
            Import-Fleet -Content $shrunk -Kubeconfig $script:emu.Kubeconfig
            (New-FleetMonitoringConfig Prometheus -Endpoint @{ 'prod-use1' = "127.0.0.1:$script:port" }).Action | Should -Be 'Configured'
            $config = (Get-FleetResource ConfigMap -Namespace monitoring -Cluster hub | Where-Object Name -eq 'multicluster-federation').Object.data.'federation.yml'
            $config | Should -Match 'cluster: prod-use1'
            $config | Should -Not -Match 'prod-euc1'
            $checks = @(Test-FleetMonitoring Prometheus)
            $checks | Should -HaveCount 3
            @($checks | Where-Object Status -ne Pass) | Should -HaveCount 0
        }
        finally {
            Import-Fleet -Content $script:fleetYaml -Kubeconfig $script:emu.Kubeconfig
        }
        # Back in the fleet but not yet in the config: Missing.
        $missing = @(Test-FleetMonitoring Prometheus -Cluster prod-euc1)
        $missing | Should -HaveCount 1
        $missing[0].Problem | Should -Be 'Missing'
        $missing[0].Status | Should -Be 'Fail'
    }

    It 'refuses a selector /federate would refuse, before anything changes' {
        { New-FleetMonitoringConfig Prometheus -Match '{job=~".*"}' -Endpoint $script:endpoints -ErrorAction Stop } |
            Should -Throw -ErrorId 'MatchSelectorInvalid,*' -ExpectedMessage "-Match '{job=~`".*`"}' is not an instant-vector selector: it has no metric name and every matcher matches the empty string, which selects every series (Prometheus refuses it); use for example {job=~`".+`"}. Nothing was changed."
    }

    It 'refuses a cluster without a region when the region label is asked for' {
        $folder = Join-Path $script:emu.Directory 'no-region'
        try {
            Import-Fleet -Content ($script:fleetYaml -replace '(?m)^    region: eu-central-1\r?$', '') -Kubeconfig $script:emu.Kubeconfig
            { New-FleetMonitoringConfig Prometheus -OutputPath $folder -ErrorAction Stop } |
                Should -Throw -ErrorId 'ClusterRegionMissing,*' -ExpectedMessage "Cluster 'prod-euc1' has no region in the fleet file, so its 'region' label cannot be set. Nothing was changed."
            Test-Path $folder | Should -BeFalse
            @(New-FleetMonitoringConfig Prometheus -RegionLabel '' -OutputPath $folder) | Should -HaveCount 1
        }
        finally {
            Import-Fleet -Content $script:fleetYaml -Kubeconfig $script:emu.Kubeconfig
        }
    }
}

Describe 'Thanos from the fleet' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'renders the Query endpoint file and one Prometheus external-labels patch per cluster' {
        $folder = Join-Path $script:emu.Directory 'thanos'
        $rendered = @(New-FleetMonitoringConfig Thanos -ExternalLabel @{ fleet = 'pester' } -OutputPath $folder)
        $rendered | Should -HaveCount 3
        ($rendered | ForEach-Object { "$($_.Cluster) $($_.Kind)" }) | Should -Be @('hub ConfigMap', 'prod-use1 Prometheus', 'prod-euc1 Prometheus')
        (Get-ChildItem $folder -Filter *.yaml).Name | Sort-Object | Should -Be @('hub.yaml', 'prod-euc1.yaml', 'prod-use1.yaml')
        $rendered[0].Yaml | Should -Match '- address: thanos-sidecar.prod-use1:10901'
        $rendered[2].Yaml | Should -Match 'cluster: prod-euc1'
        $rendered[2].Yaml | Should -Match 'fleet: pester'

        $checks = @(Test-FleetMonitoring Thanos -Path (Join-Path $folder 'hub.yaml') -ProbeTimeoutSeconds 1 | Where-Object Check -ne Endpoint)
        $checks | Should -HaveCount 4
        $checks | ForEach-Object { $_.Status | Should -Be 'Pass' }
    }

    It 'refuses an external label that would make every cluster look alike' {
        { New-FleetMonitoringConfig Thanos -ExternalLabel @{ prometheus_replica = 'a' } -OutputPath (Join-Path $script:emu.Directory 'same') -ErrorAction Stop } |
            Should -Throw -ErrorId 'ExternalLabelsNotUnique,*' -ExpectedMessage "-ExternalLabel 'prometheus_replica' would give every cluster the same 'prometheus_replica', which must tell clusters (or replicas) apart. Nothing was changed."
    }
}
