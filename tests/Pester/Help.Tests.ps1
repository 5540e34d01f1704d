#Requires -Version 7.4
# Get-Help shows the MAML that dotnet build writes from docs/*.md, for every exported cmdlet.

BeforeDiscovery {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $script:cmdlets = (Import-PowerShellDataFile (Join-Path $root 'MultiCluster.psd1')).CmdletsToExport | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    Import-Module (Join-Path $root 'out/MultiCluster/MultiCluster.psd1') -Force

    # What the page says, read independently of the build's generator: synopsis and each parameter's first paragraph.
    function script:Read-DocsPage([string] $Name) {
        $lines = Get-Content (Join-Path $root "docs/$Name.md")
        $section = $null; $parameter = $null; $inFence = $false
        $page = @{ Synopsis = $null; Parameters = [ordered]@{} }
        foreach ($line in $lines) {
            if ($line.StartsWith('```')) { $inFence = -not $inFence; continue }
            if ($inFence) { continue }
            if ($line -match '^## (.+)$') { $section = $Matches[1]; $parameter = $null; continue }
            if ($section -eq 'PARAMETERS' -and $line -match '^### -(\S+)') { $parameter = $Matches[1]; continue }
            if (-not $line.Trim()) { continue }
            if ($section -eq 'SYNOPSIS' -and -not $page.Synopsis) { $page.Synopsis = $line.Trim() }
            if ($parameter -and -not $page.Parameters.Contains($parameter)) { $page.Parameters[$parameter] = $line.Trim() }
        }
        $page
    }
    # A cmdlet's parameters as its page documents them: its own, and -WhatIf/-Confirm where it has them.
    function script:Get-OwnParameter([string] $Name) {
        (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters }
    }
    # Help text with no line wrapping, whitespace runs collapsed, so a sentence is found whole.
    function script:Get-HelpText([string] $Name, [hashtable] $Options) {
        (Get-Help $Name @Options | Out-String -Width 100000) -replace '\s+', ' '
    }
}

Describe 'External help' {
    It 'is generated into the module folder by dotnet build' {
        $maml = Join-Path $root 'out/MultiCluster/en-US/MultiCluster.dll-Help.xml'
        Test-Path $maml | Should -BeTrue
        $commands = ([xml](Get-Content -Raw $maml)).helpItems.command
        $commands | Should -HaveCount (Get-Command -Module MultiCluster -CommandType Cmdlet).Count
        $pages = @(Get-ChildItem (Join-Path $root 'docs') -Filter '*-Fleet*.md')
        $pages.Count | Should -BeGreaterThan 0
        (Import-PowerShellDataFile (Join-Path $root 'MultiCluster.psd1')).CmdletsToExport | Should -HaveCount $pages.Count -Because 'Get-Help <Name> below runs once per cmdlet of the manifest, and each has its page'
    }

    It 'Get-Help about_MultiCluster shows the concepts topic' {
        $about = Get-Help about_MultiCluster | Out-String
        $about | Should -Match 'about_MultiCluster'
        $about | Should -Match 'fleet'
        Get-Help about_MultiCluster_Errors | Out-String | Should -Match 'ClusterUnreachable'
    }
}

Describe 'Get-Help <Name>' -ForEach $cmdlets {
    BeforeAll {
        $page = Read-DocsPage $Name
    }

    It 'shows the synopsis and every parameter''s description with -Full' {
        $full = Get-HelpText $Name @{ Full = $true }
        $full.Contains("SYNOPSIS $($page.Synopsis -replace '\s+', ' ')") | Should -BeTrue -Because 'the synopsis is the page''s'
        $documented = @($page.Parameters.Keys | Sort-Object)
        $documented | Should -Be @(Get-OwnParameter $Name | Sort-Object) -Because 'the page documents exactly the cmdlet''s parameters'
        $undescribed = $page.Parameters.Keys | Where-Object { -not $full.Contains("-$_") -or -not $full.Contains(($page.Parameters[$_] -replace '\s+', ' ')) }
        $undescribed | Should -BeNullOrEmpty -Because 'every parameter shows the description its page gives'
    }

    It 'shows at least two examples with -Examples, each with its code' {
        $examples = @((Get-Help $Name -Examples).examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        $examples | ForEach-Object { $_.code | Should -Not -BeNullOrEmpty }
        Get-HelpText $Name @{ Examples = $true } | Should -Match 'Example 2'
    }

    It 'answers Get-Help -Parameter for every parameter of the cmdlet' {
        $own = @(Get-OwnParameter $Name)
        $own.Count | Should -Be $page.Parameters.Count
        foreach ($parameter in $own) {
            $help = Get-Help $Name -Parameter $parameter
            $help.name | Should -Be $parameter
            $help.description.Text | Should -Not -BeNullOrEmpty -Because "-$parameter has a description"
        }
    }
}
