using System.Globalization;
using System.Net;
using System.Security.Authentication;
using MultiCluster.Engine.Reporting;
using Polly;
using Polly.Retry;

namespace MultiCluster.Engine.Connections;

/// <summary>
/// Retries an API call (Polly.Core) on 429 (honouring Retry-After), 500, 502, 503, 504 and dropped
/// connections, with exponential backoff and jitter. Only requests that are safe to repeat are
/// retried: GET, HEAD, OPTIONS, PUT, DELETE and server-side apply PATCH (idempotent by design).
/// Never retries other 4xx answers, TLS failures or a cancelled call.
/// </summary>
public sealed class RetryHandler : DelegatingHandler
{
    internal const string ApplyPatchContentType = "application/apply-patch+yaml";

    private readonly string _cluster;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public RetryHandler(string cluster, FleetRetryOptions? options = null)
    {
        _cluster = cluster;
        options ??= FleetRetryOptions.Default;
        _pipeline = options.MaxAttempts <= 1
            ? ResiliencePipeline<HttpResponseMessage>.Empty
            : new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = options.MaxAttempts - 1,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = options.UseJitter,
                    Delay = options.BaseDelay,
                    MaxDelay = options.MaxDelay,
                    ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                    DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, options.MaxDelay)),
                    OnRetry = args =>
                    {
                        var request = args.Context.Properties.GetValue(RequestKey, null!);
                        FleetCallContext.Reporter.Verbose(
                            $"{request?.Method.Method} {_cluster} {ApiCallLogHandler.SafePath(request?.RequestUri)}: {Reason(args.Outcome)}; " +
                            $"retry {args.AttemptNumber + 1} of {options.MaxAttempts - 1} in {args.RetryDelay.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms");
                        args.Outcome.Result?.Dispose();
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
    }

    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("MultiCluster.Request");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!IsRepeatable(request)) return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<HttpResponseMessage>(state.handler.SendOnce(state.request, ctx.CancellationToken)),
                context, (handler: this, request)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendOnce(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    internal static bool IsRepeatable(HttpRequestMessage request)
    {
        var method = request.Method.Method;
        if (method is "GET" or "HEAD" or "OPTIONS" or "PUT" or "DELETE") return true;
        return method == "PATCH" && string.Equals(request.Content?.Headers.ContentType?.MediaType, ApplyPatchContentType, StringComparison.OrdinalIgnoreCase);
    }

    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Result is { } response)
            return response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
                or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
        // A dropped or refused connection has no response; a TLS failure will fail the same way again.
        return outcome.Exception is HttpRequestException { StatusCode: null } e && !HasInner<AuthenticationException>(e);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan maxDelay)
    {
        if (response?.Headers.RetryAfter is not { } retryAfter) return null;
        var delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (delay is null) return null;
        if (delay < TimeSpan.Zero) return TimeSpan.Zero;
        return delay > maxDelay ? maxDelay : delay;
    }

    private static string Reason(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } response ? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) : outcome.Exception?.GetType().Name ?? "failed";

    private static bool HasInner<T>(Exception exception) where T : Exception
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
            if (e is T) return true;
        return false;
    }
}
