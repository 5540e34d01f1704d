Console.WriteLine("MultiCluster emulator: not built yet");
