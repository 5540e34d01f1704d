#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the MultiCluster module and, on request, its help, tests and Azure Automation package.
.DESCRIPTION
    dotnet build alone lays out out/MultiCluster (manifest, assemblies, Dependencies/, formats).
    This script adds what needs pwsh: external help from docs/ (when PlatyPS is installed), the
    Pester run (when Pester 5 is installed) and out/MultiCluster.zip for Azure Automation.
.EXAMPLE
    ./build.ps1 -Test -Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug',

    # Run dotnet test and, where Pester 5 is installed, tests/Pester.
    [switch] $Test,

    # Write out/MultiCluster.zip in the layout Azure Automation imports.
    [switch] $Package
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$moduleDir = Join-Path $root 'out/MultiCluster'

dotnet build (Join-Path $root 'MultiCluster.sln') -c $Configuration -nologo
if ($LASTEXITCODE -ne 0) { throw "dotnet build failed with exit code $LASTEXITCODE" }

$helpFile = Join-Path $moduleDir 'en-US/MultiCluster.dll-Help.xml'
if (Get-Module -ListAvailable -Name Microsoft.PowerShell.PlatyPS) {
    Import-Module Microsoft.PowerShell.PlatyPS
    $staging = Join-Path ([System.IO.Path]::GetTempPath()) ('mc-maml-' + [guid]::NewGuid().ToString('N'))
    Measure-PlatyPSMarkdown -Path (Join-Path $root 'docs/*.md') |
        Where-Object Filetype -Match 'CommandHelp' |
        Import-MarkdownCommandHelp -Path { $_.FilePath } |
        Export-MamlCommandHelp -OutputFolder $staging -Force | Out-Null
    # PlatyPS names the file after the module; binary cmdlets look for <assembly>-Help.xml.
    $maml = Get-ChildItem $staging -Recurse -Filter '*-Help.xml' | Select-Object -First 1
    Copy-Item $maml.FullName $helpFile -Force
    Remove-Item $staging -Recurse -Force
}
elseif (Get-Module -ListAvailable -Name platyPS) {
    Import-Module platyPS
    New-ExternalHelp -Path (Join-Path $root 'docs') -OutputPath (Join-Path $moduleDir 'en-US') -Force -ErrorAction Stop | Out-Null
}
else {
    Write-Warning 'PlatyPS is not installed: external help (MultiCluster.dll-Help.xml) was not generated; Get-Help shows the about topic and syntax only.'
}

if ($Test) {
    dotnet test (Join-Path $root 'MultiCluster.sln') -c $Configuration --no-build -nologo
    if ($LASTEXITCODE -ne 0) { throw "dotnet test failed with exit code $LASTEXITCODE" }
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -GE '5.0.0' | Sort-Object Version -Descending | Select-Object -First 1
    if ($pester) {
        Import-Module $pester
        $config = New-PesterConfiguration
        $config.Run.Path = Join-Path $root 'tests/Pester'
        $config.Run.Exit = $false
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $result = Invoke-Pester -Configuration $config
        if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed" }
    }
    else {
        Write-Warning 'Pester 5 is not installed: tests/Pester was not run.'
    }
}

if ($Package) {
    $zip = Join-Path $root 'out/MultiCluster.zip'
    Remove-Item $zip -ErrorAction SilentlyContinue
    # Azure Automation wants a zip named after the module holding the module folder.
    Compress-Archive -Path $moduleDir -DestinationPath $zip
    Write-Host "Azure Automation package: $zip"
}
