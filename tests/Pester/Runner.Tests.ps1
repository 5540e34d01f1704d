#Requires -Version 7.4
# The runner build.ps1 -Test uses: its totals fail the run on a failing test and on a run that finds nothing.

BeforeAll {
    $script:runner = Join-Path $PSScriptRoot 'Invoke-PesterSuite.ps1'
    $script:pester = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) ('mc-runner-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path (Join-Path $script:work 'empty'), (Join-Path $script:work 'mixed') | Out-Null
    Set-Content (Join-Path $script:work 'mixed/Mixed.Tests.ps1') -Value @'
Describe 'mixed' {
    It 'passes' { 1 | Should -Be 1 }
    It 'fails' { 1 | Should -Be 2 }
    It 'is skipped' -Skip { }
}
'@
    $pwsh, $pwshArguments = [Environment]::ProcessPath, @()
    if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $pwshArguments = @(Join-Path $PSHOME 'pwsh.dll') }
    function script:Invoke-Runner([string] $Folder) {
        $summary = Join-Path $script:work "$Folder.json"
        & $pwsh @pwshArguments -NoProfile -NonInteractive -File $script:runner -PesterPath $script:pester -Path (Join-Path $script:work $Folder) -SummaryPath $summary | Out-Null
        Get-Content -Raw $summary | ConvertFrom-Json
    }
}

AfterAll {
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Invoke-PesterSuite' {
    It 'counts passed, failed and skipped tests' {
        $totals = Invoke-Runner 'mixed'
        "$($totals.Passed) $($totals.Failed) $($totals.Skipped)" | Should -Be '1 1 1'
    }

    It 'counts a run that finds no test as a failure' {
        $totals = Invoke-Runner 'empty'
        "$($totals.Passed) $($totals.Failed) $($totals.Skipped)" | Should -Be '0 1 0'
    }
}
