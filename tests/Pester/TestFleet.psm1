# Helpers for tests/Pester: emulated clusters in a child process, the way MultiCluster.Tests.ps1 starts
# them by hand. A test file imports this in its BeforeAll:
#   Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
#   $script:emu = Start-TestEmulator -Clusters 3 -NamePrefix area
#   ...
#   Stop-TestEmulator $script:emu            (in AfterAll)

$repositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-TestRepositoryRoot { $repositoryRoot }

function Get-EmulatorAssembly {
    $dll = Get-ChildItem (Join-Path $repositoryRoot 'tests/MultiCluster.Emulator/bin') -Recurse -Filter 'MultiCluster.Emulator.dll' -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $dll) { throw 'The emulator is not built: run dotnet build MultiCluster.sln first.' }
    $dll.FullName
}

<#
.SYNOPSIS
    Starts emulated clusters and waits for READY. The emulator stops when its standard input closes
    (Stop-TestEmulator, or this pwsh ending).
#>
function Start-TestEmulator {
    param(
        [int] $Clusters = 3,
        [string] $NamePrefix = 'pester',
        [string] $Crds,
        [string] $Controllers = 'all'
    )
    $directory = Join-Path ([System.IO.Path]::GetTempPath()) ('mc-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $directory | Out-Null
    $kubeconfig = Join-Path $directory 'kubeconfig'
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $arguments = @((Get-EmulatorAssembly), '--clusters', $Clusters, '--kubeconfig', $kubeconfig, '--name-prefix', $NamePrefix)
    if ($Controllers) { $arguments += '--controllers', $Controllers }
    if ($Crds) { $arguments += '--crds', $Crds }
    foreach ($a in $arguments) { $info.ArgumentList.Add([string]$a) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $contexts = [System.Collections.Generic.List[string]]::new()
    $servers = [ordered]@{}
    while (($line = $process.StandardOutput.ReadLine()) -ne $null -and $line.Trim() -ne 'READY') {
        $fields = $line.Trim() -split '\s+'
        if ($fields.Count -ge 2) { $contexts.Add($fields[0]); $servers[$fields[0]] = $fields[1] }
    }
    if ($process.HasExited) { throw "The emulator exited with code $($process.ExitCode) before it was ready." }
    if ($contexts.Count -ne $Clusters) {
        $process.StandardInput.Close()
        throw "The emulator announced $($contexts.Count) clusters, not $Clusters."
    }
    [pscustomobject]@{
        Process    = $process
        Directory  = $directory
        Kubeconfig = $kubeconfig
        Contexts   = $contexts.ToArray()
        Servers    = $servers
    }
}

function Stop-TestEmulator {
    param([Parameter(Mandatory)] [AllowNull()] $Emulator)
    if (-not $Emulator) { return }
    if (-not $Emulator.Process.HasExited) {
        $Emulator.Process.StandardInput.Close()
        if (-not $Emulator.Process.WaitForExit(10000)) { $Emulator.Process.Kill($true) }
    }
    Remove-Item $Emulator.Directory -Recurse -Force -ErrorAction SilentlyContinue
}

<#
.SYNOPSIS
    The Cluster API CRDs' folder (../shared/crds beside the repository, or $env:MULTICLUSTER_SHARED/crds), or nothing.
#>
function Get-SharedCrdsDirectory {
    @(
        if ($env:MULTICLUSTER_SHARED) { Join-Path $env:MULTICLUSTER_SHARED 'crds' }
        $dir = Get-Item $repositoryRoot
        while ($dir) { Join-Path $dir.FullName 'shared/crds'; $dir = $dir.Parent }
    ) | Where-Object { Test-Path (Join-Path $_ 'README.md') } | Select-Object -First 1
}

Export-ModuleMember -Function Get-TestRepositoryRoot, Start-TestEmulator, Stop-TestEmulator, Get-SharedCrdsDirectory
