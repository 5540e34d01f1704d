#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# ExternalDNS routing annotations across two emulated clusters, each running its own ExternalDNS.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    $script:emu = Start-TestEmulator -Clusters 2 -NamePrefix xdns
    $fleetYaml = @"
name: pester-externaldns
clusters:
  - name: use1
    context: $($script:emu.Contexts[0])
    region: us-east-1
  - name: euc1
    context: $($script:emu.Contexts[1])
    region: eu-central-1
"@
    Import-Fleet -Content $fleetYaml -Kubeconfig $script:emu.Kubeconfig

    @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'shop' } } | Invoke-FleetApply | Out-Null
    @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = 'web'; namespace = 'shop' }; spec = @{ ports = @(@{ port = 443 }) } } |
        Invoke-FleetApply | Out-Null
    foreach ($cluster in 'use1', 'euc1') {
        @{ apiVersion = 'apps/v1'; kind = 'Deployment'; metadata = @{ name = 'external-dns'; namespace = 'default' }
           spec = @{ selector = @{ matchLabels = @{ app = 'external-dns' } }
                     template = @{ metadata = @{ labels = @{ app = 'external-dns' } }
                                   spec = @{ containers = @(@{ name = 'external-dns'; image = 'registry.k8s.io/external-dns/external-dns:v0.15.0'
                                                             args = @('--provider=aws', "--txt-owner-id=$cluster", '--domain-filter=example.com') }) } } } } |
            Invoke-FleetApply -Cluster $cluster | Out-Null
    }

    function Get-WebAnnotation([string] $Cluster) {
        (Get-FleetResource Service web -Namespace shop -Cluster $Cluster).Object.metadata.annotations
    }
}

AfterAll {
    Stop-TestEmulator $script:emu
}

Describe 'Set-FleetExternalDns' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'refuses a host name no ExternalDNS domain filter covers, before anything changes' {
        { Set-FleetExternalDns web -Namespace shop -Hostname shop.example.org -Policy Latency -ErrorAction Stop } |
            Should -Throw -ErrorId 'ExternalDnsDomainNotCovered*' -ExpectedMessage "No --domain-filter of the ExternalDNS on cluster 'use1' (example.com) covers shop.example.org, so it would not publish it. Nothing was changed."
        $web = @(Get-FleetResource Service web -Namespace shop -Cluster use1)
        $web | Should -HaveCount 1
        $web[0].Object.metadata.annotations | Should -BeNullOrEmpty
    }

    It 'annotates latency routing, reads back the regions, and reports Unchanged the second time' {
        $set = @(Set-FleetExternalDns web -Namespace shop -Hostname shop.example.com -Policy Latency -Ttl 60)
        $set | Should -HaveCount 2
        $set.Action | Should -Be @('Configured', 'Configured')
        $set.Routing | Should -Be @('us-east-1', 'eu-central-1')
        $set.OwnerId | Should -Be @('use1', 'euc1')

        $euc1 = Get-WebAnnotation euc1
        $euc1.'external-dns.kubernetes.io/aws-region' | Should -Be 'eu-central-1'
        $euc1.'external-dns.kubernetes.io/set-identifier' | Should -Be 'euc1'
        $euc1.'external-dns.kubernetes.io/hostname' | Should -Be 'shop.example.com'
        $euc1.'external-dns.kubernetes.io/ttl' | Should -Be '60'

        $again = @(Set-FleetExternalDns web -Namespace shop -Hostname shop.example.com -Policy Latency -Ttl 60)
        $again | Should -HaveCount 2
        $again.Action | Should -Be @('Unchanged', 'Unchanged')
    }

    It 'previews a switch to weighted routing per cluster, then replaces the region with the weight' {
        $preview = @(Set-FleetExternalDns web -Namespace shop -Hostname shop.example.com -Policy Weighted -Weight @{ use1 = 90; euc1 = 10 } -WhatIf)
        $preview | Should -HaveCount 2
        $preview.Action | Should -Be @('WouldChange', 'WouldChange')
        $preview[0].Changes | Should -Be @('external-dns.kubernetes.io/aws-region-', 'external-dns.kubernetes.io/aws-weight=90')
        (Get-WebAnnotation use1).'external-dns.kubernetes.io/aws-region' | Should -Be 'us-east-1'

        $set = @(Set-FleetExternalDns web -Namespace shop -Hostname shop.example.com -Policy Weighted -Weight @{ use1 = 90; euc1 = 10 })
        $set.Action | Should -Be @('Configured', 'Configured')
        $use1 = Get-WebAnnotation use1
        $use1.'external-dns.kubernetes.io/aws-weight' | Should -Be '90'
        @($use1.Keys) | Should -HaveCount 4
        $use1.Keys | Should -Not -Contain 'external-dns.kubernetes.io/aws-region'
    }
}
