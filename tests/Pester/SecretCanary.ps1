# Dot-source from a Pester file: fails a scenario in which a credential the test bed issued escaped.
# Every token the emulator hands out starts with the marker (tests/MultiCluster.Testing/SecretCanary.cs).
# Every Describe that runs cmdlets against emulated clusters judges each scenario the same way:
#   BeforeEach { Start-SecretCanaryScenario }
#   AfterEach { Assert-SecretCanaryScenario -Path $script:emu.Directory }

$script:SecretCanaryMarker = 'mcCanaryQ7'

function Assert-NoSecretCanary {
    <#
    .SYNOPSIS
    Throws when the marker is in the given output (all six streams, e.g. captured with *>&1), in $Error
    exported as Export-Clixml writes it (every inner exception and its properties), or in a file under
    -Path written since -Since that others may read. Clears $Error, so each scenario is judged on its own.
    #>
    param(
        [object[]] $Output = @(),
        [string[]] $Path = @(),
        [datetime] $Since = [datetime]::MinValue
    )
    $found = [System.Collections.Generic.List[string]]::new()
    foreach ($item in $Output) {
        if ($null -ne $item -and ([System.Management.Automation.PSSerializer]::Serialize($item, 3) + "$item").Contains($script:SecretCanaryMarker)) {
            $found.Add('the output streams')
        }
    }
    $clixml = [System.IO.Path]::GetTempFileName()
    try {
        $global:Error | Export-Clixml -Path $clixml -Depth 4
        if ((Get-Content -Raw -LiteralPath $clixml).Contains($script:SecretCanaryMarker)) { $found.Add('$Error (Export-Clixml)') }
        foreach ($record in @($global:Error)) {
            for ($e = $record.Exception ?? $record; $null -ne $e; $e = $e.InnerException) {
                if ([System.Management.Automation.PSSerializer]::Serialize($e, 3).Contains($script:SecretCanaryMarker)) { $found.Add("`$Error: $($e.GetType().Name)") }
            }
        }
    }
    finally {
        Remove-Item -LiteralPath $clixml -Force
        $global:Error.Clear()
    }
    $files = if ($Path.Count -gt 0) { Get-ChildItem -LiteralPath $Path -File -Recurse -Force -ErrorAction SilentlyContinue } else { @() }
    foreach ($file in $files) {
        if ($file.LastWriteTimeUtc -lt $Since.ToUniversalTime()) { continue }
        if (-not $IsWindows -and -not ($file.UnixFileMode -band ([System.IO.UnixFileMode]'GroupRead, OtherRead'))) { continue }
        if ((Get-Content -Raw -LiteralPath $file.FullName -ErrorAction SilentlyContinue) -like "*$($script:SecretCanaryMarker)*") {
            $found.Add("the file $($file.FullName) (readable by others)")
        }
    }
    if ($found.Count -gt 0) { throw "A test bed credential escaped into: $(($found | Select-Object -Unique) -join '; ')." }
}

function Start-SecretCanaryScenario {
    <#
    .SYNOPSIS
    Call from BeforeEach. Clears $Error, notes the time and the variables the scenario starts with, and
    has every MultiCluster cmdlet the scenario calls, however nested, append its output, warnings and
    information to lists that Assert-SecretCanaryScenario scans (errors reach $Error anyway). Verbose
    and debug records have no such variable: they are scanned where a scenario captures them (*>&1, 4>&1).
    #>
    $global:Error.Clear()
    # BeforeEach, It and AfterEach share one scope (Pester 5): scope 1 is the caller's.
    $script:SecretCanaryBaseline = @(Get-Variable -Scope 1 | ForEach-Object Name)
    # A file's time comes from a coarser clock than UtcNow: one written just after this can carry an earlier stamp.
    $script:SecretCanarySince = [datetime]::UtcNow.AddSeconds(-1)
    $global:SecretCanaryOutput = [System.Collections.ArrayList]::new()
    $global:SecretCanaryWarning = [System.Collections.ArrayList]::new()
    $global:SecretCanaryInformation = [System.Collections.ArrayList]::new()
    foreach ($cmdlet in Get-Command -Module MultiCluster -CommandType Cmdlet) {
        # '+' appends to the global list wherever the call is nested, instead of replacing it.
        $global:PSDefaultParameterValues["$($cmdlet.Name):OutVariable"] = '+SecretCanaryOutput'
        $global:PSDefaultParameterValues["$($cmdlet.Name):WarningVariable"] = '+SecretCanaryWarning'
        $global:PSDefaultParameterValues["$($cmdlet.Name):InformationVariable"] = '+SecretCanaryInformation'
    }
}

function Assert-SecretCanaryScenario {
    <#
    .SYNOPSIS
    Call from AfterEach after Start-SecretCanaryScenario. Fails the scenario when the marker is in what
    its cmdlets wrote to the output, warning and information streams, in any variable the scenario
    set (whatever it captured, verbose and debug included), in -Output, in $Error, or in a file under
    -Path written during the scenario that others may read.
    #>
    param(
        [string[]] $Path = @(),
        [object[]] $Output = @()
    )
    $captured = @(
        $Output
        Get-Variable -Scope 1 | Where-Object { $_.Name -notin $script:SecretCanaryBaseline } | ForEach-Object Value
        $global:SecretCanaryOutput
        $global:SecretCanaryWarning
        $global:SecretCanaryInformation
    )
    foreach ($key in @($global:PSDefaultParameterValues.Keys)) {
        if ($key -like '*:OutVariable' -or $key -like '*:WarningVariable' -or $key -like '*:InformationVariable') {
            if ($global:PSDefaultParameterValues[$key] -like '+SecretCanary*') { $global:PSDefaultParameterValues.Remove($key) }
        }
    }
    Remove-Variable -Scope Global -Name SecretCanaryOutput, SecretCanaryWarning, SecretCanaryInformation -ErrorAction SilentlyContinue
    Assert-NoSecretCanary -Output $captured -Path $Path -Since $script:SecretCanarySince
}
