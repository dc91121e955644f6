namespace ShardStore.Testing.Fuzzing;

/// <summary>
/// What a fuzz run drives: a named check that takes a case and either returns (it read correct data) or throws;
/// which exceptions are the target's typed refusal; and the bounds one case must stay within.
/// </summary>
internal sealed class FuzzTarget
{
    /// <summary>Creates a target; cases are refused with <see cref="InvalidDataException"/> unless <see cref="IsExpected"/> says more.</summary>
    public FuzzTarget(string name, Action<FuzzCase> check)
    {
        Name = name;
        Check = check;
    }

    /// <summary>Gets the target's name: the folder of its kept inputs under Regressions/ and the name in its summary line.</summary>
    public string Name { get; }

    /// <summary>Gets the check run on each case.</summary>
    public Action<FuzzCase> Check { get; }

    /// <summary>Gets which exceptions are a typed refusal of the input; any other is a failure.</summary>
    public Func<Exception, bool> IsExpected { get; init; } = e => e is InvalidDataException;

    /// <summary>Gets the longest one case may run; generous, cases take milliseconds, so only a hang or a runaway loop reaches it.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the most one case may allocate on its thread.</summary>
    public long AllocationLimit { get; init; } = 64L << 20;

    /// <summary>Returns a target that reads the bytes of a case of one input.</summary>
    public static FuzzTarget OfBytes(string name, Action<byte[]> check) => new(name, c => check(c.Bytes));
}
