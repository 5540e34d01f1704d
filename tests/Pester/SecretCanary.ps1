# Dot-source from a Pester file: fails a scenario in which a credential the test bed issued escaped.
# Every token the emulator hands out starts with the marker (tests/MultiCluster.Testing/SecretCanary.cs).

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
