using System.Reflection;
using System.Runtime.InteropServices;

namespace ShardStore.Native;

/// <summary>
/// Loads the first of several platform file names of a native library. Compiled into each assembly that has a
/// native dependency (source-linked, internal), so each keeps its own single import resolver.
/// </summary>
internal static class NativeLibraryProbe
{
    /// <summary>Returns the handle of the first candidate the platform loader accepts.</summary>
    /// <exception cref="DllNotFoundException">No candidate loads; the message is <paramref name="notFoundMessage"/>, with the loader's last reason inside.</exception>
    public static nint LoadFirst(IReadOnlyList<string> candidates, string notFoundMessage, Assembly assembly, DllImportSearchPath? searchPath)
    {
        // Keep the loader's own reason for the last failure: it tells "wrong architecture" apart from "not installed".
        Exception? lastFailure = null;
        foreach (string name in candidates)
        {
            try
            {
                return NativeLibrary.Load(name, assembly, searchPath);
            }
            catch (DllNotFoundException e)
            {
                lastFailure = e;
            }
            catch (BadImageFormatException e)
            {
                lastFailure = e;
            }
        }

        throw new DllNotFoundException(notFoundMessage, lastFailure);
    }
}
