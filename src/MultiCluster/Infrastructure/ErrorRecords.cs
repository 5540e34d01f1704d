using System.Management.Automation;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Infrastructure;

/// <summary>Turns engine exceptions into error records: stable id, right category, a target that is never null.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(Exception error)
    {
        if (error is AggregateException { InnerExceptions.Count: 1 } aggregate)
            error = aggregate.InnerExceptions[0];
        if (error is FleetException fleet)
        {
            var record = new ErrorRecord(fleet, fleet.ErrorId, Map(fleet.Category), fleet.Target);
            if (fleet.RecommendedAction is { } action)
                record.ErrorDetails = new ErrorDetails(fleet.Message) { RecommendedAction = action };
            return record;
        }
        return error switch
        {
            ArgumentException arg => new ErrorRecord(arg, "InvalidArgument", ErrorCategory.InvalidArgument, arg.ParamName ?? ""),
            TimeoutException timeout => new ErrorRecord(timeout, "OperationTimeout", ErrorCategory.OperationTimeout, ""),
            _ => new ErrorRecord(error, "UnexpectedError", ErrorCategory.NotSpecified, ""),
        };
    }

    private static ErrorCategory Map(FleetErrorCategory category) => category switch
    {
        FleetErrorCategory.InvalidArgument => ErrorCategory.InvalidArgument,
        FleetErrorCategory.InvalidData => ErrorCategory.InvalidData,
        FleetErrorCategory.InvalidOperation => ErrorCategory.InvalidOperation,
        FleetErrorCategory.ObjectNotFound => ErrorCategory.ObjectNotFound,
        FleetErrorCategory.ResourceExists => ErrorCategory.ResourceExists,
        FleetErrorCategory.ConnectionError => ErrorCategory.ConnectionError,
        FleetErrorCategory.OperationTimeout => ErrorCategory.OperationTimeout,
        FleetErrorCategory.AuthenticationError => ErrorCategory.AuthenticationError,
        FleetErrorCategory.PermissionDenied => ErrorCategory.PermissionDenied,
        FleetErrorCategory.ParserError => ErrorCategory.ParserError,
        FleetErrorCategory.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        FleetErrorCategory.OperationStopped => ErrorCategory.OperationStopped,
        FleetErrorCategory.LimitsExceeded => ErrorCategory.LimitsExceeded,
        FleetErrorCategory.NotInstalled => ErrorCategory.NotInstalled,
        FleetErrorCategory.SecurityError => ErrorCategory.SecurityError,
        _ => ErrorCategory.NotSpecified,
    };
}
