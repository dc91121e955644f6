namespace ShardPack;

/// <summary>Process exit codes of shardpack.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidArguments = 2;
    public const int BadData = 3;
}
