namespace ShardStore.Testing.Fuzzing;

/// <summary>How the cases of a fuzz run ended: with data the target accepted, or with an expected (typed) exception.</summary>
internal readonly record struct FuzzCounts(int Succeeded, int Rejected);
