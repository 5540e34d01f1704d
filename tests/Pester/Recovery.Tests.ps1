#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Backup and disaster recovery scenarios against emulated clusters with the real Velero CRDs.
# Needs ../shared/crds (the Velero CRDs); skipped without it.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    $script:noCrds = -not (Get-SharedCrdsDirectory)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    if (-not (Get-SharedCrdsDirectory)) { return }

    $script:emu = Start-TestEmulator -Clusters 3 -NamePrefix pesterdr -Crds velero -Controllers all
    $script:work = $script:emu.Directory
    $script:kubeconfig = $script:emu.Kubeconfig
    $script:contexts = $script:emu.Contexts

    $fleetYaml = @"
name: pester-dr
clusters:
  - name: primary
    context: $($script:contexts[0])
    region: us-east-1
    labels: { env: prod }
    drPeer: standby
  - name: standby
    context: $($script:contexts[1])
    region: us-west-2
    role: dr
    labels: { env: prod }
  - name: lab
    context: $($script:contexts[2])
    region: us-west-2
    labels: { env: dev }
"@
    Import-Fleet -Content $fleetYaml -Kubeconfig $script:kubeconfig
    @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'velero' } } | Invoke-FleetApply | Out-Null
    @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'shop' } } | Invoke-FleetApply -Cluster primary | Out-Null
    @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'web'; namespace = 'shop' }; data = @{ color = 'blue' } } |
        Invoke-FleetApply -Cluster primary | Out-Null
    $script:bucket = 'pester-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
}

AfterAll {
    Stop-TestEmulator $script:emu
}

Describe 'Backup schedules and inventory' -Skip:$script:noCrds {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'puts a read-write location on the primary and a read-only one on the standby' {
        $results = @(
            New-FleetBackupLocation default -Provider aws -Bucket $script:bucket -Region us-east-1 -Default -Cluster primary
            New-FleetBackupLocation default -Provider aws -Bucket $script:bucket -Region us-east-1 -AccessMode ReadOnly -Cluster standby
        )
        $results.Count | Should -Be 2
        $results.Action | Should -Be @('Created', 'Created')
        $results.Cluster | Should -Be @('primary', 'standby')
    }

    It 'turns an RPO into a cron and reports the worst case' {
        $result = New-FleetBackupSchedule shop -Rpo 00:05:00 -IncludedNamespace shop -Ttl 30.00:00:00 -Cluster primary
        $result.Action | Should -Be 'Created'
        (New-FleetBackupSchedule shop -Rpo 00:05:00 -IncludedNamespace shop -Ttl 30.00:00:00 -Cluster primary).Action | Should -Be 'Unchanged'

        $schedules = @(Get-FleetBackupSchedule shop)
        $schedules.Count | Should -Be 1
        $schedules[0].Cluster | Should -Be 'primary'
        $schedules[0].Schedule | Should -Be '*/5 * * * *'
        $schedules[0].WorstCaseRpoText | Should -Be '5m'
        $schedules[0].Ttl | Should -Be ([timespan]::FromDays(30))
    }

    It 'shows the backup on the primary and, through the shared bucket, on the standby' {
        # Until both list the same newest backup: a cron run at a five-minute mark may be on its way to the standby.
        $deadline = (Get-Date).AddSeconds(10)
        do {
            Start-Sleep -Milliseconds 200
            $backups = @(Get-FleetBackup -Schedule shop -Latest -Phase Completed)
        } while (($backups.Count -lt 2 -or @($backups.Name | Select-Object -Unique).Count -ne 1) -and (Get-Date) -lt $deadline)
        $backups.Count | Should -Be 2
        ($backups.Cluster | Sort-Object) | Should -Be @('primary', 'standby')
        @($backups.Name | Select-Object -Unique).Count | Should -Be 1
        $backups | ForEach-Object { $_.Rpo | Should -BeLessThan ([timespan]::FromMinutes(1)) }
    }

    It 'refuses a cron that does not parse before sending anything' {
        { New-FleetBackupSchedule broken -Schedule 'every day' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ScheduleInvalid,MultiCluster.Commands.Recovery.NewFleetBackupScheduleCommand'
        @(Get-FleetBackupSchedule broken).Count | Should -Be 0
    }

    It 'renders a schedule to files without applying it' {
        $out = Join-Path $script:work 'velero'
        $manifests = @(New-FleetBackupSchedule payments -Schedule '0 */4 * * *' -Selector 'env=prod' -OutputPath $out)
        $manifests.Count | Should -Be 2
        Get-Content (Join-Path $out 'primary.yaml') -Raw | Should -Match 'schedule: 0 \*/4 \* \* \*'
        @(Get-FleetBackupSchedule payments).Count | Should -Be 0
    }
}

Describe 'Failover drill' -Skip:$script:noCrds {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    BeforeAll {
        @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'orders' } } | Invoke-FleetApply -Cluster primary | Out-Null
        @{ apiVersion = 'apps/v1'; kind = 'Deployment'; metadata = @{ name = 'api'; namespace = 'orders' }
           spec = @{ replicas = 2; selector = @{ matchLabels = @{ app = 'api' } }
                     template = @{ metadata = @{ labels = @{ app = 'api' } }; spec = @{ containers = @(@{ name = 'api'; image = 'nginx:1.27' }) } } } } |
            Invoke-FleetApply -Cluster primary | Out-Null
        $drillBucket = 'drill-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        New-FleetBackupLocation drill -Provider aws -Bucket $drillBucket -Cluster primary | Out-Null
        New-FleetBackupLocation drill -Provider aws -Bucket $drillBucket -AccessMode ReadOnly -Cluster standby | Out-Null
        New-FleetBackupSchedule orders -Rpo 01:00:00 -IncludedNamespace orders -StorageLocation drill -Cluster primary | Out-Null
        $deadline = (Get-Date).AddSeconds(10)
        while (@(Get-FleetBackup -Cluster standby -Schedule orders -Phase Completed).Count -eq 0 -and (Get-Date) -lt $deadline) {
            Start-Sleep -Milliseconds 200
        }
    }

    It 'plans the drill with -WhatIf and restores nothing' {
        $plan = Test-FleetFailover -From primary -To standby -Namespace orders -WhatIf
        $plan.Status | Should -Be 'Planned'
        $plan.Drill | Should -BeTrue
        $plan.Steps | Should -HaveCount 4
        $plan.Steps[1].Message | Should -Match 'orders -> orders-drill-\d{12}'
        $namespaces = @(Get-FleetResource -Kind Namespace -Cluster standby)
        $namespaces | Should -HaveCount 5
        @($namespaces | Where-Object Name -like 'orders*') | Should -HaveCount 0
    }

    It 'restores under a drill namespace, measures the RTO and cleans up without touching the primary' {
        $primaryBefore = @(Get-FleetResource -Kind Deployment -Namespace orders -Cluster primary)
        $primaryBefore | Should -HaveCount 1
        $result = Test-FleetFailover -From primary -To standby -Namespace orders -Confirm:$false

        $result.Status | Should -Be 'Completed'
        $result.Drill | Should -BeTrue
        $result.Steps | Should -HaveCount 4
        $result.Steps.Name | Should -Be @('SelectBackup', 'Restore', 'WaitForWorkloads', 'Cleanup')
        $result.Steps.Outcome | Should -Be @('Succeeded', 'Succeeded', 'Succeeded', 'Succeeded')
        $result.Rto | Should -BeGreaterThan ([timespan]::Zero)
        $result.Traffic | Should -BeNullOrEmpty
        $namespaces = @(Get-FleetResource -Kind Namespace -Cluster standby)
        $namespaces | Should -HaveCount 5
        @($namespaces | Where-Object Name -like 'orders*') | Should -HaveCount 0
        $primaryAfter = @(Get-FleetResource -Kind Deployment -Namespace orders -Cluster primary)
        $primaryAfter | Should -HaveCount $primaryBefore.Count
    }

    It 'refuses a namespace no backup holds before any change' {
        { Test-FleetFailover -From primary -To standby -Namespace nowhere -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'FailoverNoBackup,MultiCluster.Commands.Recovery.TestFleetFailoverCommand'
        $namespaces = @(Get-FleetResource -Kind Namespace -Cluster standby)
        $namespaces | Should -HaveCount 5
        @($namespaces | Where-Object Name -like 'nowhere*') | Should -HaveCount 0
    }
}

Describe 'Failover and failback' -Skip:$script:noCrds {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    BeforeAll {
        @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'billing' } } | Invoke-FleetApply -Cluster primary | Out-Null
        @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = 'billing' }; data = @{ mode = 'live' } } |
            Invoke-FleetApply -Cluster primary | Out-Null
        $fbBucket = 'fb-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        New-FleetBackupLocation billing -Provider aws -Bucket $fbBucket -Cluster primary | Out-Null
        New-FleetBackupLocation billing -Provider aws -Bucket $fbBucket -AccessMode ReadOnly -Cluster lab | Out-Null
        New-FleetBackupLocation billing-rw -Provider aws -Bucket $fbBucket -Cluster lab | Out-Null
        New-FleetBackupSchedule billing -Rpo 01:00:00 -IncludedNamespace billing -StorageLocation billing -Cluster primary | Out-Null
        $deadline = (Get-Date).AddSeconds(10)
        while (@(Get-FleetBackup -Cluster lab -Schedule billing -Phase Completed).Count -eq 0 -and (Get-Date) -lt $deadline) {
            Start-Sleep -Milliseconds 200
        }
    }

    It 'refuses a failback before any failover' {
        { Invoke-FleetFailback -From lab -To primary -Namespace billing -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'FailbackNotPossible,MultiCluster.Commands.Recovery.InvokeFleetFailbackCommand'
        # The schedule's backups (one at least, read from the shared bucket; another comes at the top of the hour), none of a failback.
        $backups = @(Get-FleetBackup -Cluster lab -ErrorAction Stop)
        $backups.Count | Should -BeGreaterThan 0
        @($backups | Where-Object Name -like 'failback-*') | Should -HaveCount 0
    }

    It 'fails over on purpose, then fails back with what the standby served' {
        $over = Invoke-FleetFailover -From primary -To lab -Namespace billing -Force -Confirm:$false
        $over.Status | Should -Be 'Completed'
        @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'settings'; namespace = 'billing' }; data = @{ mode = 'from-lab' } } |
            Invoke-FleetApply -Cluster lab -ForceConflicts | Out-Null

        $back = Invoke-FleetFailback -From lab -To primary -StorageLocation billing-rw -Confirm:$false

        $back.Status | Should -Be 'Completed'
        $back.Steps | Should -HaveCount 7
        $back.Steps[0].Name | Should -Be 'BackupStandby'
        (Get-FleetResource -Kind ConfigMap -Name settings -Namespace billing -Cluster primary).Object.data.mode | Should -Be 'from-lab'
        (Invoke-FleetFailback -From lab -To primary -StorageLocation billing-rw -Confirm:$false).Status | Should -Be 'AlreadyComplete'
    }
}

Describe 'Disaster-recovery readiness' -Skip:$script:noCrds {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'checks the primary with its drPeer and says what a cluster without a standby lacks' {
        $checks = @(Get-FleetDrReadiness -MaxRpo 1.00:00:00)
        $checks | Should -HaveCount 11
        $pair = @($checks | Where-Object Cluster -eq 'primary')
        $pair | Should -HaveCount 10
        $pair.Standby | Select-Object -Unique | Should -Be 'standby'
        ($pair | Where-Object Check -eq 'VeleroInstalled').Status | Should -Be @('Pass', 'Pass')
        ($pair | Where-Object Check -eq 'StandbySeesBackups').Status | Should -Be 'Pass'
        $lab = @($checks | Where-Object Cluster -eq 'lab')
        $lab | Should -HaveCount 1
        $lab[0].Check | Should -Be 'Standby'
        $lab[0].Status | Should -Be 'Fail'
    }

    It 'fails the backup age against a tight -TargetRpo (the alias of -MaxRpo), with what to do' {
        $age = Get-FleetDrReadiness -Cluster primary -TargetRpo 00:00:01 | Where-Object Check -eq 'BackupAge'
        $age.Status | Should -Be 'Fail'
        $age.Action | Should -Match 'Get-FleetBackupSchedule -Cluster primary'
    }
}
