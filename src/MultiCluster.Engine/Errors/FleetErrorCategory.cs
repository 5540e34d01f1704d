namespace MultiCluster.Engine.Errors;

/// <summary>
/// The engine's own error categories. The cmdlet layer maps each to PowerShell's ErrorCategory
/// of the same name; the engine knows no PowerShell.
/// </summary>
public enum FleetErrorCategory
{
    NotSpecified,
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    ObjectNotFound,
    ResourceExists,
    ConnectionError,
    OperationTimeout,
    AuthenticationError,
    PermissionDenied,
    ParserError,
    ResourceUnavailable,
    OperationStopped,
    LimitsExceeded,
    NotInstalled,
    SecurityError,
}
