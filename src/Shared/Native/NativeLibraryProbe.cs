using System.Reflection;
using System.Runtime.InteropServices;

namespace ShardStore.Native;

/// <summary>
/// Resolves the logical library names of an assembly's imports to the first platform file name that loads. Compiled
/// into each assembly that has a native dependency (source-linked, internal), so each keeps its own single import
/// resolver; the assembly describes its libraries (<see cref="NativeLibraryDescriptor"/>) and registers once.
/// </summary>
internal static class NativeLibraryProbe
{
    /// <summary>Gets the platform whose library names apply to this process.</summary>
    public static OSPlatform CurrentPlatform =>
        OperatingSystem.IsWindows() ? OSPlatform.Windows
        : OperatingSystem.IsMacOS() ? OSPlatform.OSX
        : OSPlatform.Linux;

    /// <summary>Registers the single <see cref="DllImportResolver"/> of <paramref name="assembly"/>: a logical name that <paramref name="describe"/> knows loads its library, any other falls through to the runtime.</summary>
    /// <param name="assembly">The assembly whose imports are resolved.</param>
    /// <param name="describe">Returns the description of a logical library name of the assembly's imports, or null for a name the assembly does not own.</param>
    /// <exception cref="InvalidOperationException">The assembly already has a resolver: registration happens once, and a second one is a bug that is left to surface.</exception>
    /// <remarks>
    /// A library that does not load throws from the resolver rather than returning zero: that is what carries the
    /// install hint to the caller, since on zero the runtime probes the logical name itself and reports only that name.
    /// </remarks>
    public static void Register(Assembly assembly, Func<string, NativeLibraryDescriptor?> describe) =>
        NativeLibrary.SetDllImportResolver(
            assembly,
            (libraryName, importing, searchPath) => describe(libraryName) is { } library ? Load(library, importing, searchPath) : 0);

    /// <summary>Loads the first candidate of <paramref name="library"/> that the platform loader accepts.</summary>
    /// <param name="library">The library's candidate file names and its message when none loads.</param>
    /// <param name="assembly">The assembly whose import is being resolved.</param>
    /// <param name="searchPath">The import's search path, if it has one.</param>
    /// <exception cref="DllNotFoundException">No candidate loads; the message names the library and how to install it, with the loader's last reason inside.</exception>
    public static nint Load(NativeLibraryDescriptor library, Assembly assembly, DllImportSearchPath? searchPath)
    {
        // Keep the loader's own reason for the last failure: it tells "wrong architecture" apart from "not installed".
        Exception? lastFailure = null;
        foreach (string name in library.CandidateNames)
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

        throw new DllNotFoundException(library.FormatNotFoundMessage(), lastFailure);
    }
}
