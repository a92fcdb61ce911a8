using System.Runtime;

namespace Backgrounder.Benchmarks.Memory;

/// <summary>Live managed bytes after full, compacting, blocking collections (large objects included): what is truly retained.</summary>
public static class ManagedHeap
{
    public static long LiveBytes()
    {
        for (var i = 0; i < 3; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
