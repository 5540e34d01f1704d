@{
    RootModule           = 'MultiCluster.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '5b0e6c55-3c1f-4b7e-9a52-8d7d2f6c4e11'
    Author               = 'MultiCluster contributors'
    CompanyName          = 'MultiCluster'
    Copyright            = '(c) MultiCluster contributors. Apache License 2.0.'
    Description          = 'Run fleets of Kubernetes clusters from PowerShell: inventory, fan-out apply, Cluster API lifecycle, federation with placement and overrides, mesh, RBAC and identity, backup and failover.'
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('MultiCluster.format.ps1xml')
    CmdletsToExport      = @(
        'Import-Fleet'
        'Get-Fleet'
        'Get-FleetCluster'
        'Test-FleetCluster'
        'Test-FleetArchitecture'
        'Invoke-FleetApply'
        'Get-FleetResource'
        'Remove-FleetResource'
        'Publish-FleetWorkload'
        'Get-FleetWorkload'
        'Compare-FleetWorkload'
        'Remove-FleetWorkload'
        'Set-FleetRbac'
        'Get-FleetRbac'
        'Test-FleetRbac'
        'New-FleetCluster'
        'Wait-FleetCluster'
        'Get-FleetClusterCredential'
        'Resize-FleetCluster'
        'Remove-FleetCluster'
        'New-FleetOidcConfig'
        'Set-FleetOidc'
        'Update-FleetCluster'
        'Get-FleetUpgradePlan'
        'Start-FleetUpgrade'
        'Get-FleetUpgradeStatus'
        'Test-FleetNetwork'
        'Join-FleetMesh'
        'Test-FleetMesh'
        'Remove-FleetMesh'
        'Set-FleetGlobalService'
        'Export-FleetService'
        'Set-FleetTrafficPolicy'
        'New-FleetBackupSchedule'
        'New-FleetBackupLocation'
        'Get-FleetBackup'
        'Get-FleetBackupSchedule'
        'Invoke-FleetFailover'
        'Test-FleetFailover'
        'Invoke-FleetFailback'
        'Get-FleetDrReadiness'
        'Register-FleetArgoCluster'
        'Unregister-FleetArgoCluster'
        'New-FleetApplicationSet'
        'Get-FleetApplication'
        'Set-FleetDnsRecord'
        'Set-FleetExternalDns'
        'Export-Fleet'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Kubernetes', 'MultiCluster', 'Fleet', 'ClusterAPI', 'KubeFed', 'Istio', 'Velero', 'ArgoCD', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/multicluster/multicluster'
            LicenseUri   = 'https://github.com/multicluster/multicluster/blob/main/LICENSE'
            ReleaseNotes = 'https://github.com/multicluster/multicluster/blob/main/README.md'
        }
    }
}
