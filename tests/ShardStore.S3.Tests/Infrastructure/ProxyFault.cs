using System.Net;

namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>What <see cref="FaultProxy"/> does to one response instead of passing it on unchanged.</summary>
internal sealed record ProxyFault
{
    private ProxyFault()
    {
    }

    /// <summary>Gets how long the response is held back before it is sent; zero for none.</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>Gets the status sent instead of forwarding the request at all; <see langword="null"/> to forward it.</summary>
    public HttpStatusCode? Status { get; private init; }

    /// <summary>Gets how many body bytes are sent before the connection is closed; <see langword="null"/> for the whole body.</summary>
    public int? TruncateBodyTo { get; private init; }

    /// <summary>Gets how long the connection is held open, silent, after the (cut) body was sent; zero for none.</summary>
    public TimeSpan StallBeforeClose { get; private init; }

    /// <summary>Gets the body offset of the byte that is inverted; <see langword="null"/> for none.</summary>
    public int? CorruptBodyAt { get; private init; }

    /// <summary>Holds the response back for <paramref name="delay"/>, then sends it whole.</summary>
    public static ProxyFault Delayed(TimeSpan delay) => new() { Delay = delay };

    /// <summary>Sends the headers (with the full Content-Length) and the first <paramref name="bodyBytes"/> bytes of the body, then closes the connection.</summary>
    public static ProxyFault Truncated(int bodyBytes) => new() { TruncateBodyTo = bodyBytes };

    /// <summary>Sends the headers and the first <paramref name="bodyBytes"/> bytes of the body, then sends nothing for <paramref name="stall"/> (or until the proxy is disposed) before closing.</summary>
    public static ProxyFault Stalled(int bodyBytes, TimeSpan stall) => new() { TruncateBodyTo = bodyBytes, StallBeforeClose = stall };

    /// <summary>Answers with <paramref name="status"/> and an S3 error document without asking the server.</summary>
    public static ProxyFault Answer(HttpStatusCode status) => new() { Status = status };

    /// <summary>Inverts the body byte at <paramref name="bodyOffset"/>, leaving headers and length as they were.</summary>
    public static ProxyFault Corrupted(int bodyOffset) => new() { CorruptBodyAt = bodyOffset };
}
