#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Identity and upgrades as a reference architecture describes them: Dex installed on the identity
# cluster (an existing configuration's inline secrets moved out), the provider taken from
# identity.federation, versions judged against upstream's support window, an upgrade track choosing a version.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    $script:hasCrds = [bool](Get-SharedCrdsDirectory)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'out/MultiCluster/MultiCluster.psd1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    $crds = Get-SharedCrdsDirectory
    $script:emu = Start-TestEmulator -Clusters 2 -NamePrefix identity -Crds $(if ($crds) { 'cluster-api' } else { $null })
    $contexts = $script:emu.Contexts
    $script:fleetYaml = @"
architecture:
  regions:
    - name: us-east-1
      clusters:
        - { name: ops-use1, context: $($contexts[0]), aliases: [ops], purpose: management, k8s_version: "1.33" }
    - name: eu-west-1
      clusters:
        - { name: shop-euw1, context: $($contexts[1]), aliases: [shop-west], purpose: production, k8s_version: "1.31" }
  management: { cluster: ops-use1, tools: [Cluster API, dex] }
  identity: { federation: Dex with OIDC }
"@
    Import-Fleet -Content $script:fleetYaml -Kubeconfig $script:emu.Kubeconfig
    $script:work = Join-Path $script:emu.Directory 'work'
    New-Item -ItemType Directory -Path $script:work | Out-Null
}

AfterAll {
    Stop-TestEmulator $script:emu
}

Describe 'Dex installed from New-FleetOidcConfig' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'takes Dex from identity.federation and installs it on the management cluster, Unchanged the second time' {
        $ldap = @{ Type = 'ldap'; Host = 'ldap.corp.example.com:636'; BindDN = 'cn=dex,dc=corp'; BindPasswordSecret = 'dex-ldap/bindPassword'; UserBaseDN = 'ou=people,dc=corp' }
        $out = New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector $ldap -Cluster shop-west -Apply -Confirm:$false -Verbose 4>&1
        $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $results = @($out | Where-Object { $_ -is [MultiCluster.FleetResourceResult] })

        $verbose.Message | Should -Contain "Identity provider: Dex (from identity.federation 'Dex with OIDC')."
        $results | Should -HaveCount 7
        ($results.Cluster | Sort-Object -Unique) | Should -Be 'ops-use1'
        ($results.Action | Sort-Object -Unique) | Should -Be 'Created'

        # The deployment controller annotates its revision right after the create, as a real one does;
        # a second run racing that write would honestly see the object changed. Let the install settle.
        Get-FleetWorkload dex Deployment -Namespace dex -Cluster ops -Wait -TimeoutSeconds 30 | Out-Null
        $again = @(New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector $ldap -Cluster shop-west -Apply -Confirm:$false |
            Where-Object Kind)
        $again | Should -HaveCount 7
        ($again.Action | Sort-Object -Unique) | Should -Be 'Unchanged'
        $deployment = Get-FleetResource -Kind Deployment -Namespace dex -Name dex -Cluster ops
        $deployment.Object.spec.template.spec.volumes[0].secret.secretName | Should -Be 'dex-config'
    }

    It 'moves an existing configuration''s inline secrets into a Secret and names only the fields' {
        $path = Join-Path $script:work 'dex.yaml'
        # The values carry the canary marker, so the scenario's scan finds them wherever they escape; the file
        # itself is the administrator's and private, as a file holding secrets should be.
        @'
issuer: https://dex.example.com
storage: { type: kubernetes, config: { inCluster: true } }
connectors:
  - { type: oidc, id: upstream, name: Upstream, config: { issuer: "https://login.example.com", clientID: dex, clientSecret: "MARKER-upstream-value" } }
staticPasswords:
  - { email: admin@example.com, username: admin, hash: "$2a$10$MARKERhashvalue", userID: "1" }
'@.Replace('MARKER', $script:SecretCanaryMarker) | Set-Content -LiteralPath $path
        [System.IO.File]::SetUnixFileMode($path, [System.IO.UnixFileMode]'UserRead, UserWrite')
        $dex = New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -DexConfigPath $path -Namespace dex-moved -Cluster shop-west `
            -WarningVariable warnings -WarningAction SilentlyContinue | Where-Object Issuer

        $dex.MovedSecrets | Should -HaveCount 2
        $dex.MovedSecrets.EnvironmentVariable | Should -Be @('DEX_UPSTREAM_CLIENTSECRET', 'DEX_PASSWORD_ADMIN_HASH')
        $dex.Yaml | Should -Match 'clientSecret: \$DEX_UPSTREAM_CLIENTSECRET'
        $dex.Yaml | Should -Match 'hashFromEnv: DEX_PASSWORD_ADMIN_HASH'
        "$($dex.Yaml)$($dex.InstallYaml)$warnings" | Should -Not -Match "$($script:SecretCanaryMarker)-upstream-value|$($script:SecretCanaryMarker)hashvalue"
        $warnings | Should -HaveCount 1
        "$warnings" | Should -BeLike '*connectors`[upstream`].config.clientSecret, staticPasswords`[admin`].hash*'
    }

    It 'refuses a provider it does not install, before anything is sent' {
        $keycloak = $script:fleetYaml -replace 'Dex with OIDC', 'Keycloak realms'
        Import-Fleet -Content $keycloak -Kubeconfig $script:emu.Kubeconfig
        try {
            { New-FleetOidcConfig -IssuerUrl https://dex.example.com -ClientId kubernetes -Connector @{ Type = 'ldap' } -Apply -ErrorAction Stop } |
                Should -Throw -ErrorId 'OidcProviderNotRendered,*'
        }
        finally { Import-Fleet -Content $script:fleetYaml -Kubeconfig $script:emu.Kubeconfig }
    }
}

Describe 'Versions against upstream support' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'finds the cluster whose minor ended before the day asked about, and says which window' {
        $findings = @(Test-FleetArchitecture -AsOf 2025-11-01 | Where-Object RuleId -like 'KubernetesVersion*')
        $findings | Should -HaveCount 1
        $findings[0].Target | Should -Be 'shop-euw1'
        $findings[0].Message | Should -BeLike '*1.31, whose upstream support ended on 2025-10-28; on 2025-11-01 upstream patches 1.32, 1.33, 1.34*'

        $earlier = @(Test-FleetArchitecture -AsOf 2025-10-01 | Where-Object RuleId -like 'KubernetesVersion*')
        $earlier | Should -HaveCount 1
        $earlier[0].RuleId | Should -Be 'KubernetesVersionSkew'
    }
}

Describe 'Upgrade track' {
    BeforeEach { Start-SecretCanaryScenario }
    AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

    It 'latest takes the newest version the ClusterClasses offer, stable refuses what it cannot choose' -Skip:(-not $hasCrds) {
        @'
apiVersion: cluster.x-k8s.io/v1beta2
kind: ClusterClass
metadata: { name: pester-class, namespace: default }
spec:
  kubernetesVersions: [v1.33.2, v1.33.5, v1.34.1]
  infrastructure: { templateRef: { apiVersion: infrastructure.cluster.x-k8s.io/v1beta2, kind: DockerClusterTemplate, name: t } }
  controlPlane: { templateRef: { apiVersion: controlplane.cluster.x-k8s.io/v1beta2, kind: KubeadmControlPlaneTemplate, name: t } }
'@ | Set-Content -LiteralPath (Join-Path $script:work 'class.yaml')
        Invoke-FleetApply -Path (Join-Path $script:work 'class.yaml') -Cluster ops-use1 | Out-Null
        @'
clusters:
  - name: "ops-*"
    upgrade: { track: stable }
  - name: "shop-*"
    upgrade: { approval: manual, track: latest }
'@ | Set-Content -LiteralPath (Join-Path $script:work 'policy.yaml')

        $waves = @(Get-FleetUpgradePlan -Policy (Join-Path $script:work 'policy.yaml'))
        $waves | Should -HaveCount 2
        $waves[0].KubernetesVersion | Should -Be 'v1.33.5'
        $waves[0].VersionReason | Should -BeLike 'track stable: the newest patch of 1.33 *pester-class*'
        $waves[1].KubernetesVersion | Should -Be 'v1.34.1'
        $waves[1].Clusters | Should -Be @('shop-euw1')

        @'
clusters:
  - name: "shop-*"
    upgrade: { track: stable }
'@ | Set-Content -LiteralPath (Join-Path $script:work 'stable.yaml')
        { Get-FleetUpgradePlan -Policy (Join-Path $script:work 'stable.yaml') -ErrorAction Stop } | Should -Throw -ErrorId 'UpgradeVersionUnresolved,*'

        # Start-FleetUpgrade -Policy chooses the same way, without -KubernetesVersion.
        @'
clusters:
  - name: "shop-*"
    upgrade: { approval: manual, track: latest }
'@ | Set-Content -LiteralPath (Join-Path $script:work 'latest.yaml')
        $preview = @(Start-FleetUpgrade -Policy (Join-Path $script:work 'latest.yaml') -WhatIf -Verbose 4>&1)
        $planned = @($preview | Where-Object { $_ -is [MultiCluster.FleetUpgradeWave] })
        $planned | Should -HaveCount 1
        $planned[0].KubernetesVersion | Should -Be 'v1.34.1'
        @($preview | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like "Wave * upgrades to v1.34.1: track latest*" }) | Should -HaveCount 1
        # Two waves ending on two versions are not one rollout.
        { Start-FleetUpgrade -Policy (Join-Path $script:work 'policy.yaml') -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'UpgradePolicyInvalid,*'
    }
}
