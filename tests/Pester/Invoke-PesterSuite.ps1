#Requires -Version 7.4
<#
.SYNOPSIS
    Runs every *.Tests.ps1 under -Path (tests/Pester) with the Pester module at -PesterPath and writes the totals.
.DESCRIPTION
    build.ps1 -Test starts this in a fresh pwsh so the suite imports out/MultiCluster into a clean
    session, as a user's would be. A run that discovers no test counts as a failure.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [string] $Path = $PSScriptRoot,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $ResultPath
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -MinimumVersion 5.0.0

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.Exit = $false
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
if ($ResultPath) {
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = $ResultPath
}
# The scenarios run with a user's default preference (Continue), not this runner's Stop: a
# non-terminating error must stay one there, as it does at a prompt.
$ErrorActionPreference = 'Continue'
$run = Invoke-Pester -Configuration $config
$ErrorActionPreference = 'Stop'

# Pester returns nothing when it finds no test file; a container that failed to run or a block whose
# BeforeAll threw hides its tests: all of these count as failures.
if ($null -eq $run) {
    Write-Host "Pester found no test file in $Path"
    $totals = @{ Passed = 0; Failed = 1; Skipped = 0 }
}
else {
    $totals = @{ Passed = $run.PassedCount; Failed = $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount; Skipped = $run.SkippedCount + $run.NotRunCount }
    if ($run.TotalCount -eq 0) {
        Write-Host "Pester found no tests in $Path"
        $totals.Failed++
    }
}
[pscustomobject]$totals | Select-Object Passed, Failed, Skipped | ConvertTo-Json -Compress | Set-Content -LiteralPath $SummaryPath
