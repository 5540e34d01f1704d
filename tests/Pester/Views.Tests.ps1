#Requires -Version 7.4
# Every default table view shows the column an admin decides on on an 80-column console.

BeforeDiscovery {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $format = [xml](Get-Content -Raw (Join-Path $root 'module/MultiCluster.format.ps1xml'))
    $script:views = foreach ($view in $format.Configuration.ViewDefinitions.View) {
        if (-not $view.TableControl) { continue }
        $headers = @($view.TableControl.TableHeaders.TableColumnHeader)
        $items = @($view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem)
        $columns = for ($i = 0; $i -lt $items.Count; $i++) {
            $label = if ($headers[$i].Label) { $headers[$i].Label } else { $items[$i].PropertyName }
            @{ Property = $items[$i].PropertyName; Label = $label; Width = [int]$headers[$i].Width }
        }
        @{ TypeName = $view.ViewSelectedBy.TypeName; Columns = $columns }
    }
}

BeforeAll {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    Import-Module (Join-Path $root 'out/MultiCluster/MultiCluster.psd1') -Force
    # The columns an admin decides on; a view without one must show all its columns.
    $script:keyNames = 'Status', 'Action', 'Phase', 'State', 'Ready', 'DriftType', 'Severity', 'Method', 'Approval'
}

Describe 'The format file' {
    It 'has the table views checked below' {
        $format = [xml](Get-Content -Raw (Join-Path $root 'module/MultiCluster.format.ps1xml'))
        @($format.Configuration.ViewDefinitions.View | Where-Object { $_.TableControl }) | Should -HaveCount 33
    }
}

Describe 'The <TypeName> view at 80 columns' -ForEach $views {
    It 'shows its key column' {
        $Columns.Count | Should -BeGreaterThan 0
        # Values as wide as their columns: the worst case the view must still fit.
        $row = [ordered]@{ PSTypeName = $TypeName }
        foreach ($column in $Columns) { $row[$column.Property] = 'x' * [Math]::Max(4, $column.Width) }
        $lines = @(([pscustomobject]$row | Format-Table | Out-String -Width 80) -split "`n" | Where-Object { $_.Trim() })
        $lines.Count | Should -BeGreaterOrEqual 3 -Because 'a header, its underline and a row'
        $lines[1] | Should -Match '^[\s-]+$' -Because "the $TypeName view's header takes one line, no column squeezed into wrapping ('$($lines[1])')"
        $headerWords = $lines[0] -split '\s+' | Where-Object { $_ }

        $key = $Columns | Where-Object { $_.Label -in $keyNames -or $_.Property -in $keyNames } | Select-Object -First 1
        $mustShow = if ($key) { @($key.Label) } else { @($Columns.Label) }
        $mustShow | Should -Not -BeNullOrEmpty
        foreach ($label in $mustShow) {
            $headerWords | Should -Contain $label -Because "the $TypeName view shows $label within 80 columns (header: '$($lines[0].Trim())')"
        }
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }
}
