using System.Net.Sockets;
using System.Text;

namespace Listo.Orleans.Tests.Fuzz;

/// <summary>
/// Sends request bytes exactly as given over a new loopback connection and reads the answer until the server
/// closes it: for framing no HTTP client would produce. <see cref="Response.Status"/> is null when the server
/// closed the connection without an answer.
/// </summary>
internal static class RawHttp
{
    public sealed record Response(int? Status, string Head, string Body);

    public static async Task<Response> SendAsync(Uri server, byte[] request, bool closeAfterSending, TimeSpan timeout)
    {
        using var client = new TcpClient();
        using var deadline = new CancellationTokenSource(timeout);
        await client.ConnectAsync(server.Host, server.Port, deadline.Token);
        var stream = client.GetStream();
        var received = new MemoryStream();
        try
        {
            await stream.WriteAsync(request, deadline.Token);
            if (closeAfterSending)
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }

            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // reset by the server: what arrived before it is the answer, if anything did
        }
        catch (SocketException)
        {
        }

        return Parse(received.ToArray());
    }

    private static Response Parse(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!text.StartsWith("HTTP/1.", StringComparison.Ordinal) || headEnd < 0)
        {
            return new Response(null, text, "");
        }

        var head = text[..headEnd];
        var status = int.Parse(head.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        var body = text[(headEnd + 4)..];
        if (head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        return new Response(status, head, body);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (lineEnd < 0 || !int.TryParse(chunked.AsSpan(at, lineEnd - at), System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }

            body.Append(chunked, lineEnd + 2, Math.Min(size, chunked.Length - lineEnd - 2));
            at = lineEnd + 2 + size + 2;
        }

        return body.ToString();
    }
}
