#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# User scenarios against emulated clusters, as an administrator would type them.
# Run by the test command (dotnet pwsh ./build.ps1 -Test) in the project's pwsh with Pester 5.9.1.

BeforeAll {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    Import-Module (Join-Path $root 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    $script:canarySince = [datetime]::UtcNow

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
    # Every scenario of this file, success and failure paths: no test bed credential in $Error or in a file others can read.
    try {
        Assert-NoSecretCanary -Path $script:work -Since $script:canarySince
    }
    finally {
        if ($script:emulator -and -not $script:emulator.HasExited) {
            $script:emulator.StandardInput.Close()
            if (-not $script:emulator.WaitForExit(10000)) { $script:emulator.Kill($true) }
        }
        Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'Inventory' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:work }

    It 'selects clusters by label, region and wildcard' {
        (Get-FleetCluster -Selector 'env=prod').Count | Should -Be 2
        (Get-FleetCluster -Region eu-central-1).Count | Should -Be 2
        (Get-FleetCluster -Name 'pester*').Count | Should -Be 3
        (Get-FleetCluster -Selector 'tier in (gold)').Name | Should -Be $script:contexts[0]
    }

    It 'reports an unknown cluster name with the closest names' {
        $name = $script:contexts[0] + 'x'
        Get-FleetCluster -Name $name -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ClusterNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -BeLike "*$($script:contexts[0])*"
    }

    It 'stops on a fleet file that does not parse, naming line and column' {
        { Import-Fleet -Content "clusters:`n  - name: [broken" -ErrorAction Stop } | Should -Throw -ErrorId 'FleetFileInvalid*'
    }
}

Describe 'Health' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:work }

    It 'checks every cluster in parallel and pipes from Get-FleetCluster' {
        $health = Get-FleetCluster | Test-FleetCluster
        $health.Count | Should -Be 3
        $health | ForEach-Object { $_.Status | Should -Be 'Healthy' }
        $health | ForEach-Object { $_.ServerVersion | Should -Match '^v1\.' }
    }
}

Describe 'Apply' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:work }

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
        Get-FleetResource -Kind Namespace -Name pester-app -ErrorVariable notFound -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $notFound | Should -HaveCount 3
        $notFound | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ResourceNotFound,*' }
    }

    It 'applies, then reports Unchanged on the second run' {
        $first = Invoke-FleetApply -Path $script:manifest -Selector 'env=prod'
        $first | Should -HaveCount 4
        $first | ForEach-Object { $_.Action | Should -Be 'Created' }
        $second = Invoke-FleetApply -Path $script:manifest -Selector 'env=prod'
        $second | Should -HaveCount 4
        $second | ForEach-Object { $_.Action | Should -Be 'Unchanged' }
    }

    It 'finds a kind by its kubectl short name and suggests the kind a typo meant' {
        $byShortName = @(Get-FleetResource cm -Name settings -Namespace pester-app -Selector 'env=prod')
        $byShortName | Should -HaveCount 2
        $byShortName.Kind | Sort-Object -Unique | Should -Be 'ConfigMap'
        $inGroup = @(Get-FleetResource ns -ApiVersion v1 -Name pester-app -Selector 'env=prod')
        $inGroup | Should -HaveCount 2
        $inGroup.Kind | Sort-Object -Unique | Should -Be 'Namespace'

        $null = Get-FleetResource ConfigMapp -Namespace pester-app -Selector 'env=prod' -ErrorVariable typo -ErrorAction SilentlyContinue
        $typo | Should -HaveCount 2
        $typo | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ResourceKindUnknown,*' }
        $typo[0].Exception.Message | Should -BeLike "*does not serve a kind named ConfigMapp. Did you mean 'ConfigMap'?"
    }

    It 'shows the fields a change would make' {
        $changed = @{
            apiVersion = 'v1'; kind = 'ConfigMap'
            metadata   = @{ name = 'settings'; namespace = 'pester-app' }
            data       = @{ color = 'green' }
        }
        $preview = $changed | Invoke-FleetApply -Selector 'env=prod' -WhatIf
        $preview | Should -HaveCount 2
        $preview | ForEach-Object { $_.Action | Should -Be 'WouldChange' }
        $preview[0].Changes.Path | Should -Contain 'data.color'
    }

    It 'refuses to delete from several clusters without a raised -MaxClusters, which -Force does not give' {
        { Remove-FleetResource -Kind ConfigMap -Name settings -Namespace pester-app -Selector 'env=prod' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeletionLimitExceeded*'
        { Remove-FleetResource -Kind ConfigMap -Name settings -Namespace pester-app -Selector 'env=prod' -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeletionLimitExceeded*'
        $removed = Remove-FleetResource -Kind ConfigMap -Name settings -Namespace pester-app -Selector 'env=prod' -MaxClusters 2 -Force
        $removed | Should -HaveCount 2
        $removed | ForEach-Object { $_.Action | Should -Be 'Deleted' }
    }
}

Describe 'RBAC' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:work }

    BeforeAll {
        $script:rbacName = 'pester-cm-readers'
        $script:readers = @{ Name = $script:rbacName; Group = 'pester-ops'; Rule = @{ apiGroups = ''; resources = 'configmaps'; verbs = 'get', 'list' } }
        $script:hasKubectl = [bool](Get-Command kubectl -ErrorAction SilentlyContinue)
    }

    It 'previews with -WhatIf, sets a role and binding on every cluster, then reports Unchanged' {
        $readers = $script:readers
        $preview = Set-FleetRbac @readers -WhatIf
        $preview.Count | Should -Be 6
        $preview | ForEach-Object { $_.Action | Should -Be 'WouldCreate' }
        Get-FleetRbac $script:rbacName | Should -BeNullOrEmpty

        $first = Set-FleetRbac @readers
        $first | Should -HaveCount 6
        $first | ForEach-Object { $_.Action | Should -Be 'Created' }
        $second = Set-FleetRbac @readers
        $second | Should -HaveCount 6
        $second | ForEach-Object { $_.Action | Should -Be 'Unchanged' }
        $grants = Get-FleetRbac $script:rbacName
        $grants.Count | Should -Be 3
        $grants | ForEach-Object { $_.SubjectText | Should -Be 'Group:pester-ops' }
    }

    It 'lets a member of the group read configmaps and not secrets on every cluster' {
        if (-not $script:hasKubectl) { Set-ItResult -Skipped -Because 'kubectl is not installed'; return }
        $script:contexts | Should -HaveCount 3
        foreach ($context in $script:contexts) {
            kubectl --kubeconfig $script:kubeconfig --context $context auth can-i list configmaps --as jane --as-group pester-ops | Should -Be 'yes'
            kubectl --kubeconfig $script:kubeconfig --context $context auth can-i list secrets --as jane --as-group pester-ops | Should -Be 'no'
        }
    }

    It 'shows a hand edit as drift that the next Set heals' {
        $readers = $script:readers
        @{ apiVersion = 'rbac.authorization.k8s.io/v1'; kind = 'ClusterRole'; metadata = @{ name = $script:rbacName }
           rules = @(@{ apiGroups = @(''); resources = @('configmaps'); verbs = @('get', 'list', 'delete') }) } |
            Invoke-FleetApply -Cluster $script:contexts[1] -ForceConflicts | Out-Null
        $drift = @(Test-FleetRbac @readers)
        $drift.Count | Should -Be 1
        $drift[0].Cluster | Should -Be $script:contexts[1]
        $drift[0].DriftType | Should -Be 'ChangedRule'
        $drift[0].Actual | Should -Be '[get,list,delete] core/configmaps'

        Set-FleetRbac @readers | Out-Null
        Test-FleetRbac @readers -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'prunes only managed objects, and across clusters only with a raised -MaxClusters' {
        $keep = @{ Name = 'pester-keep'; Group = 'pester-ops'; Rule = @{ apiGroups = ''; resources = 'pods'; verbs = 'get' } }
        Set-FleetRbac @keep | Out-Null
        { Set-FleetRbac @keep -Prune -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'DeletionLimitExceeded*'
        (Get-FleetRbac $script:rbacName).Count | Should -Be 3

        $pruned = Set-FleetRbac @keep -Prune -MaxClusters 3 -Force
        $pruned | Where-Object Name -eq $script:rbacName | Should -HaveCount 6
        $pruned | Where-Object Name -eq $script:rbacName | ForEach-Object { $_.Action | Should -Be 'Deleted' }
        Get-FleetRbac $script:rbacName | Should -BeNullOrEmpty
        (Get-FleetRbac pester-keep).Count | Should -Be 3
        if ($script:hasKubectl) {
            kubectl --kubeconfig $script:kubeconfig --context $script:contexts[0] get clusterrole view -o name | Should -Be 'clusterrole.rbac.authorization.k8s.io/view'
        }
    }

    It 'stops on an empty rule before any cluster is touched' {
        { Set-FleetRbac -Name pester-broken -Rule @{} -Group pester-ops -ErrorAction Stop } | Should -Throw -ErrorId 'ManifestInvalid*'
        Get-FleetRbac pester-broken | Should -BeNullOrEmpty
    }
}

Describe 'Progressive workload rollout' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:work }

    BeforeAll {
        @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = 'pester-waves' } } | Invoke-FleetApply | Out-Null
        function script:New-Web([string] $Image, [string] $Version) {
            @{ apiVersion = 'apps/v1'; kind = 'Deployment'
               metadata = @{ name = 'web'; namespace = 'pester-waves'; annotations = @{ version = $Version } }
               spec = @{ replicas = 2; selector = @{ matchLabels = @{ app = 'web' } }
                         template = @{ metadata = @{ labels = @{ app = 'web' } }; spec = @{ containers = @(@{ name = 'web'; image = $Image }) } } } }
        }
        $script:waves = @($script:contexts[0], @{ Selector = 'env=prod' }, '*')
    }

    It 'shows the waves with -WhatIf and changes nothing' {
        $preview = New-Web 'nginx:1.27' '1' | Publish-FleetWorkload -Cluster * -Wave $script:waves -WhatIf -InformationVariable steps
        $preview.Action | Should -Be @('WouldCreate', 'WouldCreate', 'WouldCreate')
        $steps.MessageData | Should -Be @(
            "Wave 1 of 3 ($($script:contexts[0])): would publish, wait up to 5 min for ready, bake 0 s."
            "Wave 2 of 3 ($($script:contexts[1])): would publish, wait up to 5 min for ready, bake 0 s."
            "Wave 3 of 3 ($($script:contexts[2])): would publish, wait up to 5 min for ready, bake 0 s.")
        $workload = @(Get-FleetWorkload web -Namespace pester-waves)
        $workload | Should -HaveCount 3
        $workload.Present | Should -Not -Contain $true
    }

    It 'publishes wave by wave and Get-FleetWorkload -Wait sees every cluster ready' {
        $results = New-Web 'nginx:1.27' '1' | Publish-FleetWorkload -Cluster * -Wave $script:waves -WaveTimeoutSeconds 20 -BakeTimeSeconds 1
        $results.Cluster | Should -Be $script:contexts
        $status = Get-FleetWorkload web -Namespace pester-waves -Wait -TimeoutSeconds 20
        $status.Ready | Should -Be @($true, $true, $true)
    }

    It 'stops at a wave that does not become ready and rolls it back' {
        $broken = @{ $script:contexts[1] = @{ '/spec/template/spec/containers/0/image' = 'registry.invalid/web:2' } }
        { New-Web 'nginx:1.28' '2' | Publish-FleetWorkload -Cluster * -Wave $script:waves -WaveTimeoutSeconds 3 -Override $broken -OnFailure Rollback -ErrorAction Stop } |
            Should -Throw -ErrorId 'WaveFailed*' -ExpectedMessage "Wave 2 of 3 ($($script:contexts[1])) did not become ready within 3 s*rolled back*"
        $version = @{}
        Get-FleetResource -Kind Deployment -Name web -Namespace pester-waves | ForEach-Object { $version[$_.Cluster] = $_.Object.metadata.annotations.version }
        $version[$script:contexts[0]] | Should -Be '2'   # wave 1 succeeded
        $version[$script:contexts[1]] | Should -Be '1'   # wave 2 rolled back
        $version[$script:contexts[2]] | Should -Be '1'   # wave 3 never touched
    }

    It 'reports a cluster that is not ready when -Wait times out' {
        $broken = @{ $script:contexts[2] = @{ '/spec/template/spec/containers/0/image' = 'registry.invalid/web:3' } }
        New-Web 'nginx:1.27' '3' | Publish-FleetWorkload -Cluster * -Override $broken | Out-Null
        $status = Get-FleetWorkload web -Namespace pester-waves -Wait -TimeoutSeconds 3 -ErrorVariable notReady -ErrorAction SilentlyContinue
        $status | Should -HaveCount 3
        ($status | Where-Object { -not $_.Ready }).Cluster | Should -Be $script:contexts[2]
        $notReady | Should -HaveCount 1
        $notReady[0].FullyQualifiedErrorId | Should -BeLike 'WorkloadNotReady*'
    }
}

Describe 'Identity federation' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:work }

    BeforeAll {
        $script:ldap = @{
            Type = 'ldap'; Host = 'ldap.corp.example.com:636'; BindDN = 'cn=dex,dc=corp'
            BindPasswordSecret = 'dex-ldap/bindPassword'; UserBaseDN = 'ou=people,dc=corp'
        }
    }

    It 'renders Dex once and each cluster for its version, secrets only referenced' {
        $out = Join-Path $script:work 'oidc'
        $oidc = New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector $script:ldap -OutputPath $out
        $dex = $oidc | Where-Object Issuer
        $dex | Should -HaveCount 1
        $dex.Yaml | Should -Match 'bindPW: \$DEX_LDAP_BIND_PASSWORD'
        $dex.EnvironmentYaml | Should -Match 'secretKeyRef'
        Test-Path (Join-Path $out 'dex-config.yaml') | Should -BeTrue
        $clusters = $oidc | Where-Object Cluster
        $clusters.Count | Should -Be 3
        $clusters | ForEach-Object { $_.AuthenticationConfigurationApiVersion | Should -Be 'apiserver.config.k8s.io/v1beta1' }
    }

    It 'refuses a secret value given inline without showing it' {
        # The value carries the canary marker: the scenario's scan finds it wherever it escapes.
        $failure = $null
        try { New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector @{ Type = 'ldap'; BindPassword = "$($script:SecretCanaryMarker)-value" } -ErrorAction Stop }
        catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'OidcInputInvalid*'
        $failure.Exception.Message | Should -Not -Match $script:SecretCanaryMarker
    }

    It 'refuses an issuer that is not https before reading any cluster' {
        { Set-FleetOidc -IssuerUrl http://dex.example.com -ClientId kubernetes -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'OidcInputInvalid*'
    }

    It 'says so when the management cluster does not run Cluster API' {
        { Set-FleetOidc -IssuerUrl https://dex.example.com -ClientId kubernetes -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'ClusterApiNotInstalled*'
    }
}

Describe 'Upgrade policy' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:work }

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
        $plan | Should -HaveCount 2
        $plan.Name | Should -Be @('first', 'second')
        $plan[0].Clusters | Should -Be @($script:contexts[1])
        $plan[1].Approval | Should -Be 'Manual'
    }

    It 'previews the whole plan with -WhatIf and writes no checkpoint' {
        $preview = Start-FleetUpgrade -Policy $script:policy -KubernetesVersion v1.33.0 -Check @{ smoke = { $true } } -WhatIf
        $preview.Name | Should -Be @('first', 'second')
        Get-FleetUpgradeStatus -RolloutId v1-33-0 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
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
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:work }

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
        $health | Should -HaveCount 1
        $health.Status | Should -Be 'Healthy'
        $health.ServerVersion | Should -Be 'v1.32.3'
        $health.NodeCount | Should -Be 3
        if (-not $IsWindows) { (Get-Item $script:merged).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
    }

    It 'never shows the kubeconfig content' {
        $text = Get-FleetClusterCredential pester-dev-01 | Format-List * | Out-String
        # The merged kubeconfig's token carries the marker (not copied into a variable, which the scenario's scan would find).
        (Get-Content -Raw $script:merged) | Should -Match "token:\s*`"?$($script:SecretCanaryMarker)"
        $text.Contains($script:SecretCanaryMarker) | Should -BeFalse
        $text | Should -Match 'pester-dev-01-admin@pester-dev-01'
    }

    It 'scales the workers' {
        $health = Resize-FleetCluster pester-dev-01 -WorkerReplicas 4 -Confirm:$false |
            Wait-FleetCluster -PollIntervalSeconds 1 -TimeoutSeconds 120 |
            Test-FleetCluster
        $health | Should -HaveCount 1
        $health.NodeCount | Should -Be 5
    }

    It 'upgrades the cluster, control plane then workers' {
        $health = @(Update-FleetCluster pester-dev-01 -KubernetesVersion v1.33.0 -PollIntervalSeconds 1 -TimeoutSeconds 120 -Confirm:$false | Test-FleetCluster)
        $health | Should -HaveCount 1
        $health[0].ServerVersion | Should -Be 'v1.33.0'
        $health[0].NodeCount | Should -Be 5
    }

    It 'previews the OIDC settings of the new cluster''s API server and an admin group' {
        $preview = @(Set-FleetOidc -IssuerUrl https://dex.example.com -ClientId kubernetes -Cluster pester-dev-01 -GroupBinding @{ 'oidc:platform-admins' = 'cluster-admin' } -WhatIf |
            Select-Object Cluster, Kind, Name, Action)
        $preview | Should -HaveCount 3
        ($preview | ForEach-Object { "$($_.Kind) $($_.Action)" } | Sort-Object) | Should -Be @('ClusterRole WouldCreate', 'ClusterRoleBinding WouldCreate', 'KubeadmControlPlane WouldChange')
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
        Get-FleetCluster pester-dev-01 -ErrorVariable gone -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $gone | Should -HaveCount 1
        $gone[0].FullyQualifiedErrorId | Should -BeLike 'ClusterNotFound*'
    }
}
