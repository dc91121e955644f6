using System.Runtime.CompilerServices;

namespace ShardStore.Internals.Integrity;

/// <summary>
/// An interpolated message for a check, built only when the check fails: the holes are not even evaluated when
/// it holds. Opening a dataset runs a few dozen checks per shard; formatting their messages up front made most
/// of the garbage of opening 10,000 shards.
/// </summary>
/// <example><c>void Expect(bool holds, [InterpolatedStringHandlerArgument(nameof(holds))] ref FailureMessage problem)</c></example>
[InterpolatedStringHandler]
internal ref struct FailureMessage
{
    private DefaultInterpolatedStringHandler _text;

    public FailureMessage(int literalLength, int formattedCount, bool holds, out bool build)
    {
        build = !holds;
        _text = build ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);

    public string ToStringAndClear() => _text.ToStringAndClear();
}
