using System.Text;
using Listo.Orleans.Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Listo.Orleans.Gateway.Apis;

/// <summary>
/// Requires <c>Authorization: Bearer &lt;key&gt;</c> with a key of <c>QueryApi:Keys</c>. Keys are compared as
/// SHA-256 digests in constant time, so neither content nor length leaks through timing.
/// </summary>
internal sealed class BearerKeyFilter(IOptions<QueryApiOptions> options) : IEndpointFilter
{
    private const string Scheme = "Bearer ";

    private readonly SecretDigests _keys = new(options.Value.Keys.Where(k => !string.IsNullOrWhiteSpace(k)));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        string? header = context.HttpContext.Request.Headers.Authorization;
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || !IsKnown(header.AsSpan(Scheme.Length).Trim()))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Unauthenticated();
        }

        return await next(context);
    }

    private bool IsKnown(ReadOnlySpan<char> presented) => _keys.Contains(Encoding.UTF8.GetBytes(presented.ToArray()));
}
