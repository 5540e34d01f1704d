#Requires -Version 7.4
# The README's lab command runs the README's first pipeline and leaves nothing running behind it.

BeforeAll {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) ('mc-lab-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $script:work | Out-Null

    # The README's first pipeline, exactly as written under "A first pipeline".
    $readme = Get-Content -Raw (Join-Path $root 'README.md')
    $section = $readme.Substring($readme.IndexOf('## A first pipeline'))
    $script:pipeline = [regex]::Match($section, '```powershell\n(.*?)\n```', 'Singleline').Groups[1].Value
    $script:labCommand = [regex]::Match($section, '```sh\n(.*?)\n```', 'Singleline').Groups[1].Value
    Set-Content -Path (Join-Path $script:work 'pipeline.ps1') -Value $script:pipeline

    $pwsh, $pwshArguments = [Environment]::ProcessPath, @()
    if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $pwshArguments = @(Join-Path $PSHOME 'pwsh.dll') }
    $labDirectory = Join-Path $script:work 'lab'
    # What the README's command runs, with the script to run instead of the prompt and the build already done.
    $script:output = & $pwsh @pwshArguments -NoProfile -NonInteractive -File (Join-Path $root 'lab.ps1') `
        -Script (Join-Path $script:work 'pipeline.ps1') -NoBuild -Directory $labDirectory 2>&1 | ForEach-Object { "$_" }
    $script:exitCode = $LASTEXITCODE
    $script:labDirectory = $labDirectory
    $script:servers = $script:output | Select-String '^\s*(\S+) (https://127\.0\.0\.1:(\d+)/)$' | ForEach-Object {
        [pscustomobject]@{ Name = $_.Matches[0].Groups[1].Value; Port = [int]$_.Matches[0].Groups[3].Value }
    }
}

AfterAll {
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The lab' {
    It 'is the README''s command' {
        $script:labCommand | Should -Be 'dotnet pwsh ./lab.ps1'
        $script:pipeline | Should -Match 'Test-FleetCluster'
    }

    It 'serves a management cluster and three workload clusters' {
        $script:servers | Should -HaveCount 4
        $script:servers.Name | Should -Be @('mgmt-use1', 'prod-use1-01', 'prod-euc1-01', 'dev-euc1-01')
    }

    It 'runs the README''s first pipeline with the fleet loaded' {
        $text = $script:output -join "`n"
        $script:exitCode | Should -Be 0 -Because $text
        $healthy = @($script:output | Select-String '^(prod-use1-01|prod-euc1-01)\s+Healthy\s')
        $healthy | Should -HaveCount 2
        @($script:output | Select-String 'WouldCreate') | Should -HaveCount 4
        $script:output | Should -Contain 'Lab stopped.'
        $text | Should -Not -Match '(?m)Exception|^\S+-Fleet\S*: ' -Because 'no error was written'
    }

    It 'leaves no emulator process and no listening port behind' {
        $script:servers | Should -HaveCount 4
        Get-Process -Name dotnet -ErrorAction SilentlyContinue | Where-Object { $_.CommandLine -like "*$($script:labDirectory)*" } | Should -BeNullOrEmpty
        foreach ($server in $script:servers) {
            $client = [System.Net.Sockets.TcpClient]::new()
            try {
                { $client.Connect('127.0.0.1', $server.Port) } | Should -Throw -Because "port $($server.Port) of $($server.Name) is closed"
            }
            finally { $client.Dispose() }
        }
        Test-Path $script:labDirectory | Should -BeFalse
    }
}
