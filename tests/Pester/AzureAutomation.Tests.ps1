#Requires -Version 7.4
# The Azure Automation package: build.ps1 -Package's zip, expanded into an empty module path and
# imported by name in a fresh, non-interactive pwsh, runs a runbook against emulated clusters with
# the fleet and kubeconfig from strings, prompting for nothing and showing no secret on any stream.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    . (Join-Path $PSScriptRoot 'SecretCanary.ps1')
    $root = Get-TestRepositoryRoot
    $script:emu = Start-TestEmulator -Clusters 2 -NamePrefix aa -Controllers ''
    $script:modules = Join-Path $script:emu.Directory 'modules'
    $script:runbookDirectory = Join-Path $script:emu.Directory 'runbook'
    New-Item -ItemType Directory -Path $script:modules, $script:runbookDirectory | Out-Null

    $pwsh, $pwshArguments = [Environment]::ProcessPath, @()
    if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $pwshArguments = @(Join-Path $PSHOME 'pwsh.dll') }
    $script:packageOutput = & $pwsh @pwshArguments -NoProfile -NonInteractive -File (Join-Path $root 'build.ps1') -Package -NoBuild 2>&1
    $script:zip = Join-Path $root 'out/MultiCluster.zip'
    Expand-Archive -Path $script:zip -DestinationPath $script:modules

    $kubeconfigText = Get-Content -Raw $script:emu.Kubeconfig
    $script:secrets = @([regex]::Matches($kubeconfigText, '(?:token|certificate-authority-data):\s*"?([^"\s]+)') | ForEach-Object { $_.Groups[1].Value })
    $fleetYaml = "name: automation`nclusters:`n" + (($script:emu.Contexts | ForEach-Object { "  - { name: $_, region: us-east-1 }" }) -join "`n")

    # A runbook as Azure Automation runs it: variables come from Get-AutomationVariable (stood in here
    # by environment variables), every stream is captured, verbose and debug switched on.
    $runbook = Join-Path $script:runbookDirectory 'runbook.ps1'
    Set-Content -Path $runbook -Value @'
function Get-AutomationVariable([string] $Name) { [Environment]::GetEnvironmentVariable("AUTOMATION_$Name") }
$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
& {
    Import-Module MultiCluster
    "module: $((Get-Module MultiCluster).ModuleBase)"
    Import-Fleet -Content (Get-AutomationVariable FleetYaml) -KubeconfigContent (Get-AutomationVariable Kubeconfig)
    Test-FleetCluster | ForEach-Object { "health: $($_.Cluster) $($_.Status)" }
    Get-FleetCluster | Select-Object Name, Region | ConvertTo-Json -Compress
} *>&1 | ForEach-Object { "[$($_.GetType().Name)] $_" }
# Not part of a real runbook: $Error as Export-Clixml writes it, for the test's secret canary.
$Error | Export-Clixml -Path $env:MULTICLUSTER_TEST_ERRORS -Depth 4
'@
    $environment = @{
        PSModulePath             = $script:modules
        AUTOMATION_FleetYaml     = $fleetYaml
        AUTOMATION_Kubeconfig    = $kubeconfigText
        MULTICLUSTER_TEST_ERRORS = Join-Path $script:emu.Directory 'runbook-errors.xml'
    }
    $saved = @{}
    foreach ($name in $environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $environment[$name]) }
    try {
        Push-Location $script:runbookDirectory
        $script:runbookStarted = [datetime]::UtcNow
        $script:output = @(& $pwsh @pwshArguments -NoProfile -NonInteractive -File $runbook 2>&1 | ForEach-Object { "$_" })
        $script:exitCode = $LASTEXITCODE
    }
    finally {
        Pop-Location
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

AfterAll {
    Stop-TestEmulator $script:emu
}

Describe 'The Azure Automation package' {
    It 'is a zip holding the module folder' {
        Test-Path $script:zip | Should -BeTrue -Because ($script:packageOutput -join "`n")
        $manifest = Join-Path $script:modules 'MultiCluster/MultiCluster.psd1'
        Test-Path $manifest | Should -BeTrue
        Test-Path (Join-Path $script:modules 'MultiCluster/en-US/MultiCluster.dll-Help.xml') | Should -BeTrue
        Test-Path (Join-Path $script:modules 'MultiCluster/Dependencies/MultiCluster.Engine.dll') | Should -BeTrue
    }

    It 'imports by name in a fresh non-interactive pwsh and checks the clusters' {
        $text = $script:output -join "`n"
        $script:exitCode | Should -Be 0 -Because $text
        $script:output | Should -Contain "[String] module: $(Join-Path $script:modules 'MultiCluster')"
        $health = @($script:output | Where-Object { $_ -like '`[String`] health: *' })
        $health | Should -HaveCount 2
        $health | Sort-Object | Should -Be @($script:emu.Contexts | Sort-Object | ForEach-Object { "[String] health: $_ Healthy" })
        $script:output | Should -Contain ('[String] ' + (@($script:emu.Contexts | ForEach-Object { [ordered]@{ Name = $_; Region = 'us-east-1' } }) | ConvertTo-Json -Compress))
    }

    It 'raises no prompt and writes no file' {
        @($script:output | Where-Object { $_ -like '`[String`] health: *' }) | Should -HaveCount 2 -Because 'the runbook ran to its end'
        $script:output -join "`n" | Should -Not -Match 'NonInteractive|prompt|Read-Host'
        @(Get-ChildItem $script:runbookDirectory -Force) | Should -HaveCount 1 -Because 'only the runbook itself is there'
    }

    It 'shows no secret on any stream' {
        $script:secrets.Count | Should -BeGreaterOrEqual 3 -Because 'two tokens and a CA'
        @($script:output | Where-Object { $_ -like '`[VerboseRecord`]*' }) | Should -Not -BeNullOrEmpty -Because 'verbose output was captured too'
        $text = $script:output -join "`n"
        foreach ($secret in $script:secrets) { $text.Contains($secret) | Should -BeFalse }
    }

    It 'lets no test bed credential escape into a stream, $Error or a file' {
        @($script:secrets | Where-Object { $_.StartsWith($script:SecretCanaryMarker) }) | Should -HaveCount 2 -Because 'the tokens carry the marker, so the scan can find them'
        $errors = Get-Content -Raw (Join-Path $script:emu.Directory 'runbook-errors.xml')
        $errors | Should -Match 'Objs' -Because 'the runbook exported its $Error'
        Assert-NoSecretCanary -Output ($script:output + $errors) -Path $script:emu.Directory -Since $script:runbookStarted
    }
}
