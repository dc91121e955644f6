using Microsoft.Win32.SafeHandles;
using ShardStore.Format;

namespace ShardStore.Internals.Reading;

/// <summary>Reading the manifest file of a dataset directory, for opening a dataset and for checking a directory before it is replaced.</summary>
internal static class ManifestFile
{
    /// <summary>Reads a manifest file's bytes, refusing a missing file, a non-regular file (without blocking on a FIFO) and one over the manifest size bound.</summary>
    /// <exception cref="InvalidDataException">The manifest is missing, not a regular file, too large or shrank while read; the message names it.</exception>
    public static byte[] ReadBytes(string path)
    {
        SafeFileHandle? handle;
        string? kind;
        try
        {
            handle = RegularFile.TryOpenRead(path, out _, out kind);
        }
        catch (FileNotFoundException e)
        {
            throw DataErrors.Create(
                "no manifest; this is not a dataset, or its writing was interrupted (a dataset without a manifest does not exist)",
                path,
                innerException: e);
        }

        if (handle is null)
        {
            throw DataErrors.Create($"{kind} stands where the manifest file should be, not a regular file", path);
        }

        using (handle)
        {
            long length = RandomAccess.GetLength(handle);
            if (length > ManifestSerializer.MaxManifestBytes)
            {
                throw DataErrors.Create($"the manifest is {length} bytes, more than the {ManifestSerializer.MaxManifestBytes} a manifest may have", path);
            }

            byte[] bytes = new byte[length];
            for (int done = 0; done < bytes.Length;)
            {
                int read = RandomAccess.Read(handle, bytes.AsSpan(done), done);
                if (read == 0)
                {
                    throw DataErrors.Create($"the manifest ended at byte {done} while being read; it was truncated", path, byteOffset: done);
                }

                done += read;
            }

            return bytes;
        }
    }
}
