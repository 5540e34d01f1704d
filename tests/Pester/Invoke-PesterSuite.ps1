#Requires -Version 7.4
<#
.SYNOPSIS
    Runs every tests/Pester/*.Tests.ps1 with the Pester module at -PesterPath and writes the totals.
.DESCRIPTION
    build.ps1 -Test starts this in a fresh pwsh so the suite imports out/MultiCluster into a clean
    session, as a user's would be. A run that discovers no test counts as a failure.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $ResultPath
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -MinimumVersion 5.0.0

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.Exit = $false
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
if ($ResultPath) {
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = $ResultPath
}
$run = Invoke-Pester -Configuration $config

# A container that failed to run or a block whose BeforeAll threw hides its tests: count them as failures.
$failed = $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount
if ($run.TotalCount -eq 0) {
    Write-Host "Pester found no tests in $PSScriptRoot"
    $failed++
}
[pscustomobject]@{
    Passed  = $run.PassedCount
    Failed  = $failed
    Skipped = $run.SkippedCount + $run.NotRunCount
} | ConvertTo-Json -Compress | Set-Content -LiteralPath $SummaryPath
