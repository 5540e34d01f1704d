#Requires -Version 7.4
<#
.SYNOPSIS
    A lab: builds the module, starts an emulated fleet and opens pwsh with the module imported and the fleet loaded.
.DESCRIPTION
    Serves four emulated Kubernetes API servers on 127.0.0.1 (tests/MultiCluster.Emulator, the test bed):
    a management cluster (mgmt-use1) and three workload clusters in two regions (prod-use1-01,
    prod-euc1-01, dev-euc1-01), all running the simulated controllers (Cluster API, Velero and the
    rest) and, where ../shared/crds is present, every CRD in it. Writes the kubeconfig and the fleet
    file to out/lab/, sets $env:KUBECONFIG there for kubectl, and opens a pwsh with MultiCluster
    imported and the fleet loaded. With -Script, runs that script in it instead and exits with its
    result (for CI and tests).

    The emulator lives as long as the lab: exit the lab's pwsh (or press Ctrl+C while a -Script runs,
    or kill this process) and it stops, taking its ports with it.
.EXAMPLE
    dotnet pwsh ./lab.ps1
.EXAMPLE
    dotnet pwsh ./lab.ps1 -Script ./my-pipeline.ps1 -NoBuild
#>
[CmdletBinding()]
param(
    # A script to run in the lab instead of an interactive prompt; the lab exits with its result.
    [string] $Script,

    # Use the module and emulator already built.
    [switch] $NoBuild,

    # Where the kubeconfig and fleet file go (removed when the lab ends).
    [string] $Directory = (Join-Path $PSScriptRoot 'out/lab')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
# This pwsh, to start another: the .NET tool runs as "dotnet pwsh.dll", an installed one as pwsh itself.
$pwsh, $pwshArguments = [Environment]::ProcessPath, @()
if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $pwshArguments = @(Join-Path $PSHOME 'pwsh.dll') }
if ($Script) { $Script = (Resolve-Path $Script).Path }

if (-not $NoBuild) {
    foreach ($project in 'src/MultiCluster', 'tests/MultiCluster.Emulator') {
        dotnet build (Join-Path $root $project) -nologo -v quiet
        if ($LASTEXITCODE -ne 0) { throw "dotnet build $project failed with exit code $LASTEXITCODE" }
    }
}
$emulatorDll = Join-Path $root 'tests/MultiCluster.Emulator/bin/Debug/net10.0/MultiCluster.Emulator.dll'
if (-not (Test-Path $emulatorDll)) { throw "The emulator is not built ($emulatorDll): run without -NoBuild." }

$fleet = [ordered]@{
    'mgmt-use1'    = "region: us-east-1, role: management, labels: { env: ops }"
    'prod-use1-01' = "region: us-east-1, labels: { env: prod, tier: gold }"
    'prod-euc1-01' = "region: eu-central-1, labels: { env: prod, tier: gold }"
    'dev-euc1-01'  = "region: eu-central-1, labels: { env: dev }"
}
New-Item -ItemType Directory -Path $Directory -Force | Out-Null
$kubeconfig = Join-Path $Directory 'kubeconfig'
$fleetFile = Join-Path $Directory 'lab.fleet.yaml'
Set-Content -LiteralPath $fleetFile -Value (@('name: lab', 'clusters:') + @($fleet.Keys | ForEach-Object { "  - { name: $_, $($fleet[$_]) }" }))

$arguments = @($emulatorDll, '--names', ($fleet.Keys -join ','), '--kubeconfig', $kubeconfig, '--controllers', 'all')
$sharedCrds = @(
    if ($env:MULTICLUSTER_SHARED) { Join-Path $env:MULTICLUSTER_SHARED 'crds' }
    $dir = Get-Item $root
    while ($dir) { Join-Path $dir.FullName 'shared/crds'; $dir = $dir.Parent }
) | Where-Object { Test-Path (Join-Path $_ 'README.md') } | Select-Object -First 1
if ($sharedCrds) { $arguments += '--crds', 'all' }

# The emulator's stdin is a pipe this process holds: when the lab ends, or this process dies, the
# pipe closes and the emulator stops. It ignores the Ctrl+C a user presses at the lab's prompt.
$info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($a in $arguments) { $info.ArgumentList.Add($a) }
$info.RedirectStandardInput = $true
$info.RedirectStandardOutput = $true
$info.UseShellExecute = $false
if ($sharedCrds) { $info.Environment['MULTICLUSTER_SHARED'] = Split-Path $sharedCrds }
$emulator = [System.Diagnostics.Process]::Start($info)
try {
    Write-Host "Starting the emulated fleet$(if ($sharedCrds) { " with the CRDs of $sharedCrds" }) ..."
    while (($line = $emulator.StandardOutput.ReadLine()) -ne $null -and $line.Trim() -ne 'READY') {
        Write-Host "  $line"
    }
    if ($emulator.HasExited -or $null -eq $line) { throw "The emulator exited (code $($emulator.ExitCode)) before it was ready." }

    $init = @"
`$env:KUBECONFIG = '$kubeconfig'
Import-Module '$(Join-Path $root 'out/MultiCluster/MultiCluster.psd1')'
Import-Fleet -Path '$fleetFile' -Kubeconfig '$kubeconfig'
"@
    if ($Script) {
        & $pwsh @pwshArguments -NoProfile -NonInteractive -Command "$init`n. '$Script'"
        $status = $LASTEXITCODE
    }
    else {
        Write-Host "Fleet 'lab' loaded (Get-FleetCluster); kubeconfig $kubeconfig. Type exit to stop the lab."
        & $pwsh @pwshArguments -NoLogo -NoExit -Command $init
        $status = $LASTEXITCODE
    }
}
finally {
    if (-not $emulator.HasExited) {
        $emulator.StandardInput.Close()
        if (-not $emulator.WaitForExit(10000)) { $emulator.Kill($true) }
    }
    Remove-Item $Directory -Recurse -Force -ErrorAction SilentlyContinue
    Write-Host 'Lab stopped.'
}
exit $status
