using MultiCluster.PowerShell.Tests.Infrastructure;
using MultiCluster.Testing;

namespace MultiCluster.PowerShell.Tests;

/// <summary>The canary every PowerShell run of this suite goes through finds a credential wherever it escapes to.</summary>
/// <remarks>
/// Alone, after the parallel tests: its deliberately leaked file lies in a folder every other run's scan reads,
/// so a test running beside it would fail on that file.
/// </remarks>
[Collection(nameof(SecretCanaryTests))]
public sealed class SecretCanaryTests
{
    private static readonly string Token = SecretCanary.NewToken();

    // Only the engine's core cmdlets exist in these runspaces: an advanced function's $PSCmdlet writes to each stream.
    private const string Leak = "function Leak { [CmdletBinding()] param($t) $VerbosePreference = $DebugPreference = $InformationPreference = 'Continue'; ";

    [Theory]
    [InlineData("'token ' + $args[0]")]
    [InlineData(Leak + "$PSCmdlet.WriteWarning('token ' + $t) }; Leak $args[0]")]
    [InlineData(Leak + "$PSCmdlet.WriteVerbose('token ' + $t) }; Leak $args[0]")]
    [InlineData(Leak + "$PSCmdlet.WriteDebug('token ' + $t) }; Leak $args[0]")]
    [InlineData(Leak + "$PSCmdlet.WriteInformation('token ' + $t, @()) }; Leak $args[0]")]
    [InlineData(Leak + "$PSCmdlet.WriteError([Management.Automation.ErrorRecord]::new([Exception]::new('token ' + $t), 'Leak', 'NotSpecified', $null)) }; Leak $args[0]")]
    [InlineData("[pscustomobject]@{ Name = 'x'; Nested = [pscustomobject]@{ Secret = $args[0] } }")]
    [InlineData("$request = [Net.Http.HttpRequestMessage]::new('GET', 'https://x'); $request.Headers.Add('Authorization', ('Bearer ' + $args[0])); " +
        "$inner = [Exception]::new('inner'); $inner.Data['request'] = $request.Headers.ToString(); " +
        "throw [InvalidOperationException]::new('outer', $inner)")]
    public void A_credential_in_any_stream_or_in_error_with_its_inner_exceptions_fails_the_run(string script)
    {
        using var session = new PowerShellSession(importModule: false);

        var act = () => session.Run(script, Token);

        act.Should().Throw<InvalidOperationException>().WithMessage("A test bed credential escaped into*");
        session.Run("'clean'").Output.Should().Equal("clean"); // $Error was scanned once and cleared
    }

    [Fact]
    public void A_credential_in_a_file_others_can_read_fails_the_run_and_an_owner_only_file_does_not()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mc-ps-canary-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(directory);
        try
        {
            using var session = new PowerShellSession(importModule: false);
            var shared = Path.Combine(directory, "shared.yaml");
            var owned = Path.Combine(directory, "owned.kubeconfig");

            session.Run("[IO.File]::WriteAllText($args[0], \"token: $($args[1])\"); [IO.File]::SetUnixFileMode($args[0], [IO.UnixFileMode]'UserRead, UserWrite')", owned, Token)
                .Output.Should().BeEmpty();
            // The mode is set, not left to the umask: under umask 077 (CI machines, hardened hosts) a new file is owner-only.
            var act = () => session.Run("[IO.File]::WriteAllText($args[0], \"token: $($args[1])\"); [IO.File]::SetUnixFileMode($args[0], [IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')", shared, Token);

            act.Should().Throw<InvalidOperationException>().WithMessage($"*the file {shared} (readable by others)*");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

[CollectionDefinition(nameof(SecretCanaryTests), DisableParallelization = true)]
public sealed class SecretCanaryCollection;
