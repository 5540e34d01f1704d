using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// A host that answers every confirmation prompt (ShouldContinue, -Confirm) with <see cref="Answer"/>
/// and keeps what was asked and what was written to it (what-if lines), as an interactive user would see.
/// </summary>
public sealed class AnsweringHost : PSHost
{
    private readonly AnsweringUserInterface _ui;

    public AnsweringHost(bool answer) => _ui = new AnsweringUserInterface(answer);

    public bool Answer { get => _ui.Answer; set => _ui.Answer = value; }

    /// <summary>The captions and messages of the prompts answered so far.</summary>
    public IReadOnlyList<string> Prompts => _ui.Prompts;

    /// <summary>Lines written to the host (what-if messages among them).</summary>
    public IReadOnlyList<string> Lines => _ui.Lines;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override string Name => nameof(AnsweringHost);
    public override PSHostUserInterface UI => _ui;
    public override Version Version => new(1, 0);
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class AnsweringUserInterface(bool answer) : PSHostUserInterface
    {
        private readonly List<string> _prompts = [];
        private readonly List<string> _lines = [];

        public bool Answer { get; set; } = answer;
        public IReadOnlyList<string> Prompts { get { lock (_prompts) return _prompts.ToList(); } }
        public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }

        public override PSHostRawUserInterface? RawUI => null;

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            lock (_prompts) _prompts.Add($"{caption}: {message}");
            var wanted = Answer ? "&Yes" : "&No";
            var index = choices.ToList().FindIndex(c => c.Label == wanted);
            return index >= 0 ? index : defaultChoice;
        }

        public override void WriteLine(string value) { lock (_lines) _lines.Add(value); }
        public override void Write(string value) { lock (_lines) _lines.Add(value); }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);
        public override void WriteDebugLine(string message) { }
        public override void WriteErrorLine(string value) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
        public override string ReadLine() => throw new NotSupportedException();
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();
    }
}
