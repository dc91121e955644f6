using ShardPack.Importers;
using ShardPack.Internals;

namespace ShardPack.Commands;

/// <summary>Refuses a pack output that would replace the working directory, an input, or a dataset without --overwrite.</summary>
internal static class PackTarget
{
    /// <summary>Checks <paramref name="output"/> against the working directory and every input of <paramref name="arguments"/>, by real path (symbolic links followed).</summary>
    /// <exception cref="UsageException">The output is, or contains, the working directory or an input; it is a file; or it holds something and <paramref name="overwrite"/> is false.</exception>
    public static void Check(string output, bool overwrite, PackArguments arguments, string workingDirectory)
    {
        string target = RealPath.Resolve(output, workingDirectory);
        string cwd = RealPath.Resolve(workingDirectory);
        if (RealPath.IsSameOrInside(cwd, target))
        {
            throw new UsageException($"-o '{output}' ('{target}') is or contains the working directory '{cwd}'; a pack replaces its output directory, so choose one outside it.");
        }

        foreach (string input in Inputs(arguments))
        {
            if (RealPath.IsSameOrInside(RealPath.Resolve(input, workingDirectory), target))
            {
                throw new UsageException($"-o '{output}' ('{target}') is or contains the input '{input}'; a pack replaces its output directory, so choose one outside the inputs.");
            }
        }

        if (File.Exists(target))
        {
            throw new UsageException($"-o '{output}' is a file; a dataset is a directory, so choose a directory path.");
        }

        if (!overwrite && Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new UsageException($"-o '{output}' already exists and is not empty; pass --overwrite to replace the dataset there, or choose another directory.");
        }
    }

    /// <summary>Returns the files and folders a pack reads: --input, --manifest and the folder its paths are relative to, and the files of npy fields (NAME=FILE.npy).</summary>
    public static IEnumerable<string> Inputs(PackArguments arguments)
    {
        if (arguments.Input is { Length: > 0 } input)
        {
            yield return input;
        }

        if (arguments.Manifest is { Length: > 0 } manifest)
        {
            yield return manifest;
            yield return Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        }

        if (arguments.From.Equals("npy", StringComparison.OrdinalIgnoreCase))
        {
            foreach (string field in arguments.Fields)
            {
                int eq = field.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0 && eq < field.Length - 1)
                {
                    yield return field[(eq + 1)..];
                }
            }
        }
    }
}
