import CBootletRuntime

func bl_cap_effective_shim(_ cap: Int32) -> Int32 { bl_cap_effective(cap) }
