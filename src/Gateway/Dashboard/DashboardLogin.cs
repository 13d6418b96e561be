using Listo.Orleans.Gateway.Apis;
using Listo.Orleans.Gateway.Configuration;
using Listo.Orleans.Gateway.Webhooks;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway.Dashboard;

/// <summary>
/// HTTP Basic in front of every dashboard endpoint (those marked with <see cref="DashboardLogin.Metadata"/>): a browser
/// asks for the name and secret once and sends them with each of the dashboard's own requests. Credentials are compared
/// as SHA-256 digests of <c>name:secret</c> in constant time, against every configured user. A refused login is a
/// warning under the same budget as other unauthenticated requests, so guessing cannot fill a disk.
/// </summary>
internal sealed partial class DashboardLogin(IOptions<DashboardLoginOptions> options, RejectionLogBudget logBudget, ILogger<DashboardLogin> logger)
{
    /// <summary>Endpoint metadata naming the endpoints this login guards.</summary>
    public static readonly object Metadata = new DashboardEndpointMarker();

    private const string Scheme = "Basic ";
    private const string Challenge = "Basic realm=\"Listo dashboard\", charset=\"UTF-8\"";

    private readonly SecretDigests _users = new(options.Value.Users.Select(u => $"{u.Name}:{u.Secret}"));

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<DashboardEndpointMarker>() is null || IsKnown(context.Request.Headers.Authorization))
        {
            await next(context);
            return;
        }

        string? header = context.Request.Headers.Authorization;
        if (header is not null && logBudget.TryTake(out var suppressed))
        {
            LogRefused(SenderText.Safe(context.Connection.RemoteIpAddress?.ToString() ?? "?"), suppressed);
        }

        context.Response.Headers.WWWAuthenticate = Challenge;
        await Problems.LoginRequired("The dashboard needs a name and secret from Dashboard:Users (HTTP Basic).").ExecuteAsync(context);
    }

    private bool IsKnown(string? header)
    {
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> credentials = stackalloc byte[512];
        if (!Convert.TryFromBase64Chars(header.AsSpan(Scheme.Length).Trim(), credentials, out var length))
        {
            return false;
        }

        return _users.Contains(credentials[..length]);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Refused a dashboard login from {RemoteAddress}: wrong name or secret ({Suppressed} similar warnings left out before this one)")]
    private partial void LogRefused(string remoteAddress, long suppressed);

    private sealed class DashboardEndpointMarker;
}
