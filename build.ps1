#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the MultiCluster module and, on request, runs every test and writes the Azure Automation package.
.DESCRIPTION
    dotnet build alone lays out out/MultiCluster (manifest, assemblies, Dependencies/, formats and the
    MAML help generated from docs/). -Test runs the dotnet tests and then tests/Pester in a fresh pwsh
    with the Pester the build restored (PackageDownload in tests/MultiCluster.PowerShell.Tests), and
    ends with one line counting both: "tests: N passed, N failed, N skipped". Run it with the project's
    own pwsh: dotnet tool restore, then dotnet pwsh ./build.ps1 -Test.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Test
.EXAMPLE
    dotnet pwsh ./build.ps1 -Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug',

    # Run the dotnet tests and tests/Pester; exits 1 when any test fails.
    [switch] $Test,

    # Write out/MultiCluster.zip in the layout Azure Automation imports.
    [switch] $Package,

    # Use the build already in out/ (for tests that package the module they run against).
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$moduleDir = Join-Path $root 'out/MultiCluster'

if (-not $NoBuild) {
    dotnet build (Join-Path $root 'MultiCluster.sln') -c $Configuration -nologo
    if ($LASTEXITCODE -ne 0) {
        if ($Test) { Write-Host "dotnet build failed with exit code $LASTEXITCODE"; Write-Host 'tests: 0 passed, 1 failed, 0 skipped'; exit 1 }
        throw "dotnet build failed with exit code $LASTEXITCODE"
    }
}

if ($Package) {
    $zip = Join-Path $root 'out/MultiCluster.zip'
    Remove-Item $zip -ErrorAction SilentlyContinue
    # Azure Automation wants a zip named after the module holding the module folder.
    Compress-Archive -Path $moduleDir -DestinationPath $zip
    Write-Host "Azure Automation package: $zip"
}

if ($Test) {
    $results = Join-Path $root 'out/TestResults'
    Remove-Item $results -Recurse -Force -ErrorAction SilentlyContinue
    $passed = 0; $failed = 0; $skipped = 0

    dotnet test (Join-Path $root 'MultiCluster.sln') -c $Configuration --no-build -nologo --logger trx --results-directory $results
    $dotnetStatus = $LASTEXITCODE
    $dotnetFailed = 0
    foreach ($trx in Get-ChildItem $results -Filter '*.trx' -ErrorAction SilentlyContinue) {
        $counters = ([xml](Get-Content -Raw -LiteralPath $trx.FullName)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $dotnetFailed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        # A skipped test is a result with outcome NotExecuted, which the counters leave out of notExecuted: total minus executed counts it.
        $skipped += [int]$counters.total - [int]$counters.executed
    }
    # A test host that aborted (or found nothing to run) counts as a failure even without a failed test.
    if ($dotnetStatus -ne 0 -and $dotnetFailed -eq 0) { $dotnetFailed = 1 }
    $failed += $dotnetFailed

    # Pester: the package the build restored into the NuGet cache, run in a fresh pwsh (this one).
    $assets = Get-Content -Raw (Join-Path $root 'tests/MultiCluster.PowerShell.Tests/obj/project.assets.json') | ConvertFrom-Json -AsHashtable
    $pester = $assets.packageFolders.Keys | ForEach-Object { Join-Path $_ 'pester/5.9.1/tools/Pester.psd1' } |
        Where-Object { Test-Path $_ } | Select-Object -First 1
    $summary = Join-Path $results 'pester-summary.json'
    if (-not $pester) {
        Write-Host 'Pester 5.9.1 is not in the NuGet cache: run dotnet build first (it restores the package).'
        $failed++
    }
    else {
        # This pwsh again: the .NET tool runs as "dotnet pwsh.dll", an installed one as pwsh itself.
        $pwsh, $pwshArguments = [Environment]::ProcessPath, @()
        if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $pwshArguments = @(Join-Path $PSHOME 'pwsh.dll') }
        & $pwsh @pwshArguments -NoProfile -NonInteractive -File (Join-Path $root 'tests/Pester/Invoke-PesterSuite.ps1') `
            -PesterPath $pester -SummaryPath $summary -ResultPath (Join-Path $results 'pester.xml')
        if (Test-Path $summary) {
            $counts = Get-Content -Raw -LiteralPath $summary | ConvertFrom-Json
            $passed += $counts.Passed; $failed += $counts.Failed; $skipped += $counts.Skipped
        }
        else {
            Write-Host "The Pester run ended (exit code $LASTEXITCODE) without writing its totals."
            $failed++
        }
    }

    Write-Host "tests: $passed passed, $failed failed, $skipped skipped"
    exit ([int]($failed -gt 0 -or $passed -eq 0))
}
