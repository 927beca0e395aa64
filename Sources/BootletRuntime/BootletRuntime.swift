import OCISpec
